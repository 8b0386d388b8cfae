import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SimNetwork, type SimNetworkOptions } from '../../src/link/sim-network.js';
import type { Stack } from '../../src/stack/stack.js';
import type { TraceEvent } from '../../src/stack/trace-event.js';
import type { TcpConfig } from '../../src/tcp/config.js';
import { seededRandom } from '../../src/tcp/random.js';
import { seq, seqDiff } from '../../src/wire/seqnum.js';
import { buildTcpPacket } from '../../src/wire/ip-packet.js';
import { TcpFlag } from '../../src/wire/tcp-segment.js';

const A = '198.18.0.1';
const B = '198.18.0.2';
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

interface Transfer {
  net: SimNetwork;
  client: Stack;
  server: Stack;
  trace: TraceEvent[];
  /** SHA-256 of the bytes the server read, once the client's FIN arrived. */
  received: () => string;
  sent: string;
  established: () => number | undefined;
}

/** Client sends `bytes` to a server that reads and closes on FIN; both on the given network. */
function transfer(
  netOpts: SimNetworkOptions,
  bytes: number,
  tcp: Partial<TcpConfig> = {},
  setup: (net: SimNetwork) => void = () => {},
): Transfer {
  const net = new SimNetwork({ clock: 'virtual', seed: 1, ...netOpts });
  const trace: TraceEvent[] = [];
  net.setTrace((e) => trace.push(e));
  const server = net.addHost({ address: B, name: 'server', tcp });
  const client = net.addHost({ address: A, name: 'client', tcp });
  setup(net);
  const data = seededRandom(11).bytes(bytes);
  const hash = createHash('sha256');
  let digest = '';
  server.openListener({ port: 80 }).onConnection = (c) => {
    c.onEvent = (ev) => {
      if (ev.type === 'readable') hash.update(c.read());
      if (ev.type === 'peer-fin') {
        hash.update(c.read());
        digest = hash.digest('hex');
        c.close();
      }
    };
  };
  const c = client.openConnection({ address: B, port: 80 });
  let written = 0;
  let establishedAt: number | undefined;
  const pump = (): void => {
    while (written < data.length) {
      const n = c.write(data.subarray(written));
      if (n === 0) return;
      written += n;
    }
    if (c.state === 'ESTABLISHED') c.close();
  };
  c.onEvent = (ev) => {
    if (ev.type === 'established') {
      establishedAt = net.clock.now();
      pump();
    }
    if (ev.type === 'writable') pump();
  };
  return {
    net,
    client,
    server,
    trace,
    received: () => digest,
    sent: sha(data),
    established: () => establishedAt,
  };
}

/** The trace as text, bytes as hex: two runs are identical iff these strings are. */
function traceText(trace: TraceEvent[]): string {
  return trace
    .map((e) =>
      JSON.stringify(e, (_k, v: unknown) =>
        v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v,
      ),
    )
    .join('\n');
}

describe('SimNetwork: determinism', () => {
  const lossy: SimNetworkOptions = {
    loss: 0.1,
    reorder: 0.1,
    duplicate: 0.05,
    corrupt: 0.02,
    delay: 5,
    jitter: 3,
  };

  test(
    'same seed twice → identical trace, event for event and byte for byte',
    { timeout: 60_000 },
    () => {
      const runs = [1, 2].map(() => {
        const t = transfer({ ...lossy, seed: 77 }, 60_000);
        assert.equal(t.net.run(), true);
        assert.equal(t.received(), t.sent);
        return traceText(t.trace);
      });
      assert.ok(runs[0]!.length > 10_000);
      assert.equal(runs[0], runs[1]);
    },
  );

  test('another seed → a different trace, same bytes delivered', { timeout: 60_000 }, () => {
    const a = transfer({ ...lossy, seed: 77 }, 60_000);
    const b = transfer({ ...lossy, seed: 78 }, 60_000);
    a.net.run();
    b.net.run();
    assert.equal(a.received(), b.received());
    assert.notEqual(traceText(a.trace), traceText(b.trace));
  });
});

describe('SimNetwork: knobs', () => {
  test(
    'delay 25 ms each way → server sees the SYN at 25, client established at 50',
    { timeout: 60_000 },
    () => {
      const t = transfer({ delay: 25 }, 0);
      t.net.run();
      const synRecv = t.trace.find(
        (e) => e.type === 'segment' && e.host === 'server' && e.event === 'recv',
      );
      assert.equal(synRecv?.t, 25);
      assert.equal(t.established(), 50);
    },
  );

  test('setPath one direction slower → asymmetric delays', { timeout: 60_000 }, () => {
    const t = transfer({ delay: 1 }, 0, {}, (net) => net.setPath(A, B, { delay: 100 }));
    t.net.run();
    assert.equal(t.established(), 101);
  });

  test(
    'loss 1 → every SYN lost (counted, traced as loss); the client times out',
    { timeout: 60_000 },
    () => {
      const t = transfer({ loss: 1 }, 0, { synRetries: 2, initialRto: 100, minRto: 100 });
      let error: string | undefined;
      const c = [...t.client.connections()][0]!;
      c.onEvent = (ev) => {
        if (ev.type === 'closed') error = ev.error?.code;
      };
      assert.equal(t.net.run(), true);
      assert.equal(error, 'timed-out');
      assert.equal(t.net.stats.dropped.loss, 3);
      assert.equal(t.net.stats.delivered, 0);
      const drops = t.trace.filter((e) => e.type === 'segment' && e.host === 'net');
      assert.equal(drops.length, 3);
      assert.ok(
        drops.every(
          (e) => e.type === 'segment' && e.reason === 'loss' && e.segment.flags === TcpFlag.SYN,
        ),
      );
    },
  );

  test(
    'loss 0.2 on 100 KB → losses and retransmissions, every byte delivered',
    { timeout: 60_000 },
    () => {
      const t = transfer({ loss: 0.2, delay: 5, seed: 5 }, 100_000);
      assert.equal(t.net.run(), true);
      assert.equal(t.received(), t.sent);
      assert.ok(t.net.stats.dropped.loss > 10);
      assert.ok(t.client.counters.TcpRetransSegs > 0);
    },
  );

  test(
    'jitter without reorder → packets still arrive in the order sent',
    { timeout: 60_000 },
    () => {
      const t = transfer({ delay: 5, jitter: 20 }, 50_000);
      assert.equal(t.net.run(), true);
      assert.equal(t.received(), t.sent);
      assert.equal(t.net.stats.reordered, 0);
      const seqs = t.trace
        .filter((e) => e.type === 'segment' && e.host === 'server' && e.event === 'recv')
        .flatMap((e) => (e.type === 'segment' ? [e.segment.seq] : []));
      for (let i = 1; i < seqs.length; i++) assert.ok(seqDiff(seqs[i]!, seqs[i - 1]!) >= 0);
    },
  );

  test(
    'reorder 0.3 → later packets overtake earlier ones, bytes intact',
    { timeout: 60_000 },
    () => {
      const t = transfer({ delay: 5, reorder: 0.3 }, 50_000);
      assert.equal(t.net.run(), true);
      assert.equal(t.received(), t.sent);
      assert.ok(t.net.stats.reordered > 0);
      const seqs = t.trace
        .filter((e) => e.type === 'segment' && e.host === 'server' && e.event === 'recv')
        .flatMap((e) => (e.type === 'segment' ? [e.segment.seq] : []));
      assert.ok(seqs.some((s, i) => i > 0 && seqDiff(s, seqs[i - 1]!) < 0));
    },
  );

  test(
    'duplicate 0.5 → more packets delivered than sent, bytes intact',
    { timeout: 60_000 },
    () => {
      const t = transfer({ delay: 2, duplicate: 0.5 }, 30_000);
      assert.equal(t.net.run(), true);
      assert.equal(t.received(), t.sent);
      assert.ok(t.net.stats.duplicated > 0);
      assert.equal(t.net.stats.delivered, t.net.stats.sent + t.net.stats.duplicated);
    },
  );

  test('corrupt 0.2 → receivers count checksum errors, bytes intact', { timeout: 60_000 }, () => {
    const t = transfer({ delay: 2, corrupt: 0.2 }, 30_000);
    assert.equal(t.net.run(), true);
    assert.equal(t.received(), t.sent);
    const c = t.net.stats.dropped.corrupt;
    assert.ok(c > 0);
    const detected = [t.client, t.server].reduce(
      (n, s) =>
        n +
        s.counters.TcpInErrs +
        s.counters.IpInHdrErrors +
        s.counters.IpInUnknownProtos +
        s.counters.IpInAddrErrors,
      0,
    );
    // IPv4 header bits are covered by the header checksum, TCP bits by the TCP checksum.
    assert.equal(detected, c);
  });

  test(
    'IPv6 path MTU 1280, hosts at 1500 → packet-too-big, MSS 1220, bytes intact',
    { timeout: 60_000 },
    () => {
      const net = new SimNetwork({ clock: 'virtual', seed: 3, delay: 1 });
      const server = net.addHost({ address: '2001:db8::2', mtu: 1500 });
      const client = net.addHost({ address: '2001:db8::1', mtu: 1500 });
      net.setPath('2001:db8::1', '2001:db8::2', { mtu: 1280 });
      const data = seededRandom(2).bytes(10_000);
      const got: Uint8Array[] = [];
      server.openListener({ port: 80 }).onConnection = (c) => {
        c.onEvent = (ev) => {
          if (ev.type === 'readable') got.push(c.read());
          if (ev.type === 'peer-fin') c.close();
        };
      };
      const c = client.openConnection({ address: '2001:db8::2', port: 80 });
      let mss = 0;
      c.onEvent = (ev) => {
        if (ev.type === 'established') {
          c.write(data);
          c.close();
        }
        if (ev.type === 'peer-fin') mss = c.info().sndMss;
      };
      assert.equal(net.run(), true);
      assert.equal(sha(Buffer.concat(got)), sha(data));
      assert.equal(mss, 1220);
      assert.equal(client.counters.Icmp6InPktTooBigs > 0, true);
    },
  );

  test(
    'filter dropping the first SYN-ACK → traced as filter; the server retransmits it after 1 s',
    { timeout: 60_000 },
    () => {
      let seen = 0;
      const indexes: number[] = [];
      const t = transfer({ delay: 1 }, 0, {}, (net) =>
        net.addFilter((p) => {
          indexes.push(p.index);
          if (p.segment && p.segment.flags === (TcpFlag.SYN | TcpFlag.ACK) && seen++ === 0)
            return 'drop';
          return 'pass';
        }),
      );
      t.net.run();
      assert.deepEqual(indexes.slice(0, 3), [0, 1, 2]);
      const drop = t.trace.find((e) => e.type === 'segment' && e.host === 'net');
      assert.ok(drop?.type === 'segment');
      assert.equal(drop.reason, 'filter');
      assert.equal(drop.segment.flags, TcpFlag.SYN | TcpFlag.ACK);
      assert.equal(t.net.stats.dropped.filter, 1);
      // The client's own SYN timer (1 s) fires at the same time; either way the handshake ends ~1 s.
      assert.ok(t.established()! >= 1000 && t.established()! <= 1010, `${t.established()}`);
    },
  );

  test(
    'filter returning { delay: 100 } → that packet arrives 100 ms late',
    { timeout: 60_000 },
    () => {
      const t = transfer({ delay: 1 }, 0, {}, (net) =>
        net.addFilter((p) => (p.index === 0 ? { delay: 100 } : 'pass')),
      );
      t.net.run();
      assert.equal(t.established(), 102);
    },
  );

  test(
    'bandwidth 1 MB/s → 100 KB takes at least 100 ms; a tiny queue drops and recovers',
    { timeout: 60_000 },
    () => {
      const t = transfer({ delay: 1, bandwidth: 1_000_000 }, 100_000);
      assert.equal(t.net.run(), true);
      assert.equal(t.received(), t.sent);
      const lastData = t.trace.filter(
        (e) =>
          e.type === 'segment' &&
          e.host === 'server' &&
          e.event === 'recv' &&
          e.segment.payload.length > 0,
      );
      assert.ok(lastData.at(-1)!.t >= 100);
      const q = transfer({ delay: 1, bandwidth: 1_000_000, queueLimit: 3 }, 100_000);
      assert.equal(q.net.run(), true);
      assert.equal(q.received(), q.sent);
      assert.ok(q.net.stats.dropped.queue > 0);
    },
  );

  test('a packet to an address nobody owns → dropped as no-route', { timeout: 60_000 }, () => {
    const net = new SimNetwork({ clock: 'virtual' });
    const a = net.addHost({ address: A, tcp: { synRetries: 0 } });
    a.openConnection({ address: '198.18.9.9', port: 80 });
    net.run();
    assert.equal(net.stats.dropped['no-route'], 1);
    assert.equal(a.connectionCount, 0);
  });

  test(
    'bad options → RangeError; run() on a real clock → Error; duplicate address → RangeError',
    { timeout: 60_000 },
    () => {
      assert.throws(() => new SimNetwork({ loss: 2 }), RangeError);
      assert.throws(() => new SimNetwork({ delay: -1 }), RangeError);
      assert.throws(() => new SimNetwork({ mtu: 20 }), RangeError);
      const real = new SimNetwork();
      assert.throws(() => real.run(), /virtual clock/);
      real.addHost({ address: A });
      assert.throws(() => real.addHost({ address: A }), RangeError);
      real.close();
    },
  );
});

describe('SimNetwork: settle', () => {
  test(
    'virtual clock → settle() resolves once everything, TIME-WAIT included, is done',
    { timeout: 60_000 },
    async () => {
      const t = transfer({ delay: 3 }, 5000);
      await t.net.settle();
      assert.equal(t.received(), t.sent);
      assert.equal(t.net.idle, true);
      assert.equal(t.client.connectionCount + t.server.connectionCount, 0);
      assert.ok(t.net.clock.now() >= 60_000);
    },
  );

  test(
    'real clock → settle() resolves after a short exchange (MSL 20 ms)',
    { timeout: 20_000 },
    async () => {
      const t = transfer({ clock: 'real', delay: 1 }, 20_000, { msl: 20 });
      await t.net.settle({ timeout: 10_000 });
      assert.equal(t.received(), t.sent);
      assert.equal(t.client.connectionCount + t.server.connectionCount, 0);
      assert.equal(t.client.pendingTimerCount + t.server.pendingTimerCount, 0);
      t.net.close();
    },
  );
  test(
    'real clock with 10 % loss → settle() resolves after retransmissions, bytes intact',
    { timeout: 30_000 },
    async () => {
      const t = transfer({ clock: 'real', delay: 1, loss: 0.1, seed: 8 }, 30_000, {
        msl: 20,
        initialRto: 50,
        minRto: 50,
      });
      await t.net.settle({ timeout: 20_000 });
      assert.equal(t.received(), t.sent);
      assert.ok(t.net.stats.dropped.loss > 0);
      assert.equal(t.client.connectionCount + t.server.connectionCount, 0);
      t.net.close();
    },
  );

  test(
    'real clock, zero delay → connect, 1-byte echo and close all run before the next macrotask',
    { timeout: 20_000 },
    async () => {
      const net = new SimNetwork({ clock: 'real' });
      const server = net.addHost({ address: B, name: 'server', tcp: { msl: 20 } });
      const client = net.addHost({ address: A, name: 'client', tcp: { msl: 20 } });
      server.openListener({ port: 7 }).onConnection = (c) => {
        c.onEvent = (ev) => {
          if (ev.type === 'readable') c.write(c.read());
          else if (ev.type === 'peer-fin') c.close();
        };
      };
      const states: string[] = [];
      const echoed: number[] = [];
      const c = client.openConnection({ address: B, port: 7 });
      c.onEvent = (ev) => {
        if (ev.type === 'state') states.push(ev.to);
        else if (ev.type === 'established') c.write(Uint8Array.of(42));
        else if (ev.type === 'readable') {
          echoed.push(...c.read());
          c.close();
        }
      };
      // Nothing has been delivered yet: packets leave after the caller's synchronous work.
      assert.deepEqual(states, []);
      assert.equal(net.inFlight, 1);
      // One macrotask later the whole exchange is over: every hop ran from the delivery microtask.
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(echoed, [42]);
      assert.deepEqual(states, ['ESTABLISHED', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT']);
      assert.equal(net.inFlight, 0);
      assert.equal(server.connectionCount, 0);
      await net.settle({ timeout: 10_000 });
      assert.equal(client.connectionCount, 0);
      net.close();
    },
  );
  test(
    'real clock, zero delay, more packets than one turn delivers → the rest follow in order',
    { timeout: 30_000 },
    async () => {
      // 4 MB with 1460-byte segments is thousands of back-to-back deliveries: past the per-turn
      // budget, the rest wait for the clock's next turn, and the bytes still arrive intact.
      const t = transfer({ clock: 'real' }, 4_000_000, { msl: 20 });
      await t.net.settle({ timeout: 20_000 });
      assert.equal(t.received(), t.sent);
      assert.equal(t.net.stats.sent, t.net.stats.delivered);
      // In order, too: a packet overtaking another would have cost duplicate ACKs and a resend.
      assert.equal(t.client.counters.TcpRetransSegs, 0);
      assert.equal(t.server.counters.TcpRetransSegs, 0);
      t.net.close();
    },
  );
});

describe('SimNetwork: real clock', () => {
  test(
    'zero-delay path, 3000 packets sent in one turn → delivered in send order (past the per-turn budget too)',
    { timeout: 30_000 },
    async () => {
      const net = new SimNetwork({ clock: 'real' });
      net.addHost({ address: A });
      const b = net.addHost({ address: B });
      const order: number[] = [];
      // Record what the link hands B, in the order it does so (the stack itself is not needed).
      b.receive = (packet: Uint8Array): void => {
        order.push(new DataView(packet.buffer, packet.byteOffset).getUint32(20 + 4));
      };
      const count = 3000;
      for (let i = 0; i < count; i++) {
        const seg = {
          srcPort: 1000,
          dstPort: 2000,
          seq: seq(i),
          ack: seq(0),
          flags: TcpFlag.ACK,
          window: 1000,
          urgent: 0,
          options: {},
          payload: new Uint8Array(0),
        };
        net.inject(buildTcpPacket(A, B, seg));
      }
      for (let waited = 0; order.length < count && waited < 10_000; waited += 10) {
        await new Promise((r) => setTimeout(r, 10));
      }
      net.close();
      assert.equal(order.length, count);
      const firstOutOfOrder = order.findIndex((s, i) => s !== i);
      assert.equal(
        firstOutOfOrder,
        -1,
        `packet ${order[firstOutOfOrder]} arrived ${firstOutOfOrder}th`,
      );
    },
  );

  test(
    'zero-delay path past the per-turn budget, a delayed path due meanwhile → the zero-delay path still in send order',
    { timeout: 30_000 },
    async () => {
      const net = new SimNetwork({ clock: 'real', seed: 1 });
      const C = '198.18.0.3';
      const D = '198.18.0.4';
      for (const a of [A, B, C, D]) net.addHost({ address: a });
      net.setPath(C, D, { delay: 1 });
      const got: number[] = [];
      net.host(B)!.receive = (b: Uint8Array): void => {
        got.push(new DataView(b.buffer, b.byteOffset).getUint32(20 + 4));
      };
      const pkt = (src: string, dst: string, n: number): Uint8Array =>
        buildTcpPacket(src, dst, {
          srcPort: 1,
          dstPort: 2,
          seq: seq(n),
          ack: seq(0),
          flags: TcpFlag.ACK,
          window: 100,
          urgent: 0,
          options: {},
          payload: new Uint8Array(0),
        });
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          net.inject(pkt(C, D, 0)); // due in 1 ms, in the heap
          // More than a turn's budget (1,024) on A→B: the rest wait for the turn's end.
          for (let i = 0; i < 1100; i++) net.inject(pkt(A, B, i));
          queueMicrotask(() =>
            queueMicrotask(() => {
              const t = performance.now();
              while (performance.now() - t < 3); // C→D's packet is due by now
              net.clock.refresh?.();
              net.inject(pkt(A, B, 5000)); // sent last on A→B: behind the heap's due packet
              resolve();
            }),
          );
        }),
      );
      for (let waited = 0; got.length < 1101 && waited < 5000; waited += 10) {
        await new Promise((r) => setTimeout(r, 10));
      }
      net.close();
      assert.equal(got.length, 1101);
      assert.deepEqual(
        got,
        [...Array.from({ length: 1100 }, (_, i) => i), 5000],
        'A→B in send order',
      );
    },
  );
});
