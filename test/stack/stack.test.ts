import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SimNetwork } from '../../src/link/sim-network.js';
import { Stack, StackError, type TcpConnection } from '../../src/stack/stack.js';
import { VirtualClock } from '../../src/stack/virtual-clock.js';
import type { TraceEvent } from '../../src/stack/trace-event.js';
import type { ConnEvent } from '../../src/tcp/events.js';
import { seededRandom } from '../../src/tcp/random.js';
import { buildIcmpPacket, buildTcpPacket, parsePacket } from '../../src/wire/ip-packet.js';
import { seq, seqAdd, seqDiff } from '../../src/wire/seqnum.js';
import { TcpFlag, type TcpSegment } from '../../src/wire/tcp-segment.js';

const A = '198.18.0.1';
const B = '198.18.0.2';
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function pair(opts: { delay?: number } = {}): { net: SimNetwork; a: Stack; b: Stack } {
  const net = new SimNetwork({ seed: 1, clock: 'virtual', delay: opts.delay ?? 1 });
  const b = net.addHost({ address: B, name: 'b' });
  const a = net.addHost({ address: A, name: 'a' });
  return { net, a, b };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function seg(over: Partial<TcpSegment>): TcpSegment {
  return {
    srcPort: 40000,
    dstPort: 80,
    seq: seq(1000),
    ack: seq(0),
    flags: TcpFlag.SYN,
    window: 65535,
    urgent: 0,
    options: {},
    payload: new Uint8Array(0),
    ...over,
  };
}

/** A stack on a virtual clock with its output captured (no network). */
function lone(addresses = [B], extra: Partial<ConstructorParameters<typeof Stack>[0]> = {}) {
  const clock = new VirtualClock();
  const out: Uint8Array[] = [];
  const stack = new Stack({ addresses, clock, seed: 5, ...extra });
  stack.setOutput((p) => out.push(p));
  return { clock, out, stack };
}

describe('Stack: demultiplexing', () => {
  test(
    '40 connections from two hosts to one listener → each server side gets exactly its client’s bytes',
    { timeout: 60_000 },
    () => {
      const net = new SimNetwork({
        seed: 3,
        clock: 'virtual',
        delay: 2,
        loss: 0.02,
        reorder: 0.05,
      });
      const server = net.addHost({ address: B, name: 'server' });
      const c1 = net.addHost({ address: A, name: 'c1' });
      const c2 = net.addHost({ address: ['198.18.0.3', '2001:db8::3'], name: 'c2' });
      net.addHost({ address: '2001:db8::2', name: 'server6' });
      const listener = server.openListener({ port: 7 });
      const got = new Map<string, Uint8Array[]>();
      // An echo server written as plain reentrant event handlers: read, write back, close on FIN.
      listener.onConnection = (c) => {
        const key = `${c.tuple.remoteAddress}:${c.tuple.remotePort}`;
        got.set(key, []);
        const pump = (): void => {
          for (;;) {
            const b = c.read();
            if (b.length === 0) break;
            got.get(key)!.push(b);
            assert.equal(c.write(b), b.length);
          }
        };
        c.onEvent = (ev) => {
          if (ev.type === 'readable') pump();
          if (ev.type === 'peer-fin') {
            pump();
            c.close();
          }
        };
        pump();
      };
      const clients: {
        conn: TcpConnection;
        sent: Uint8Array;
        echoed: Uint8Array[];
        closed?: ConnEvent;
      }[] = [];
      const r = seededRandom(9);
      for (let i = 0; i < 40; i++) {
        const host = i % 2 === 0 ? c1 : c2;
        const sent = r.bytes(1 + (r.nextU32() % 5000));
        const conn = host.openConnection({ address: B, port: 7 });
        const entry = {
          conn,
          sent,
          echoed: [] as Uint8Array[],
          closed: undefined as ConnEvent | undefined,
        };
        conn.onEvent = (ev) => {
          if (ev.type === 'established') {
            assert.equal(conn.write(sent), sent.length);
            conn.close();
          }
          if (ev.type === 'readable') entry.echoed.push(conn.read());
          if (ev.type === 'closed') entry.closed = ev;
        };
        clients.push(entry);
      }
      assert.equal(c1.connectionCount + c2.connectionCount, 40);
      assert.equal(net.run(), true);
      assert.equal(got.size, 40);
      for (const e of clients) {
        const key = `${e.conn.tuple.localAddress}:${e.conn.tuple.localPort}`;
        assert.equal(sha(concat(got.get(key)!)), sha(e.sent), key);
        assert.equal(sha(concat(e.echoed)), sha(e.sent), key);
        assert.deepEqual(e.closed, { type: 'closed' });
      }
      for (const s of [server, c1, c2]) {
        assert.equal(s.connectionCount, 0);
        assert.equal(s.pendingTimerCount, 0);
      }
      assert.equal(server.counters.TcpPassiveOpens, 40);
      assert.equal(c1.counters.TcpActiveOpens + c2.counters.TcpActiveOpens, 40);
      assert.equal(server.counters.TcpCurrEstab, 0);
      listener.close();
    },
  );

  test(
    'IPv6 beside IPv4 on one stack → both families connect, MSS 1440 vs 1460',
    { timeout: 60_000 },
    () => {
      const net = new SimNetwork({ seed: 4, clock: 'virtual', delay: 1 });
      const server = net.addHost({ address: [B, '2001:db8::2'] });
      const client = net.addHost({ address: [A, '2001:db8::1'] });
      const l = server.openListener({ port: 80 });
      assert.equal(l.address, '::');
      const c4 = client.openConnection({ address: B, port: 80 });
      const c6 = client.openConnection({ address: '2001:DB8:0::2', port: 80 });
      assert.equal(c6.tuple.remoteAddress, '2001:db8::2');
      assert.equal(c6.tuple.localAddress, '2001:db8::1');
      net.run(100);
      assert.equal(c4.state, 'ESTABLISHED');
      assert.equal(c6.state, 'ESTABLISHED');
      assert.equal(c4.info().sndMss, 1460);
      assert.equal(c6.info().sndMss, 1440);
      assert.equal(l.pendingCount, 2);
      const s6 = l.accept()!;
      const s4 = l.accept()!;
      assert.equal(l.accept(), undefined);
      assert.deepEqual(
        [s4.tuple.remoteAddress, s6.tuple.remoteAddress].sort(),
        [A, '2001:db8::1'].sort(),
      );
      server.close();
      client.close();
      assert.equal(server.connectionCount + client.connectionCount, 0);
    },
  );
});

describe('Stack: payload memory', () => {
  test(
    '300 KB through a 4 KiB send buffer, traced, 1% loss → every traced payload keeps its bytes, the receiver gets the stream',
    { timeout: 60_000 },
    () => {
      // The send buffer reuses acknowledged memory (transientPayloads): a trace that keeps its
      // events must still see each segment's bytes as sent, and so must the receiver's views.
      const net = new SimNetwork({ seed: 5, clock: 'virtual', delay: 1, loss: 0.01 });
      const tcp = { sendBufferSize: 4096, receiveBufferSize: 8192 };
      const b = net.addHost({ address: B, name: 'b', tcp });
      const a = net.addHost({ address: A, name: 'a', tcp });
      const trace: TraceEvent[] = [];
      net.setTrace((e) => trace.push(e));
      const data = seededRandom(11).bytes(300_000);
      const got: Uint8Array[] = [];
      b.openListener({ port: 9 }).onConnection = (c) => {
        c.onEvent = (ev) => {
          if (ev.type === 'readable') got.push(c.read());
          if (ev.type === 'peer-fin') c.close();
        };
      };
      const c = a.openConnection({ address: B, port: 9 });
      let sent = 0;
      const pump = (): void => {
        while (sent < data.length) {
          const n = c.write(data.subarray(sent, sent + 1000));
          sent += n;
          if (n === 0) return;
        }
        c.close();
      };
      c.onEvent = (ev) => {
        if (ev.type === 'established' || ev.type === 'writable') pump();
      };
      assert.equal(net.run(), true);
      assert.equal(sha(concat(got)), sha(data));
      const sends = trace.filter(
        (e): e is Extract<TraceEvent, { type: 'segment' }> =>
          e.type === 'segment' && e.host === 'a' && e.event === 'send',
      );
      const iss = sends[0]!.segment.seq;
      let checked = 0;
      for (const e of sends) {
        const p = e.segment.payload;
        if (p.length === 0) continue;
        const at = seqDiff(e.segment.seq, iss) - 1;
        assert.deepEqual(p, data.subarray(at, at + p.length), `segment at ${at}`);
        checked += p.length;
      }
      assert.ok(checked >= data.length, `${checked} bytes traced`);
    },
  );
});

describe('Stack: listeners', () => {
  test(
    'backlog 2, nothing accepted → 2 wait in the accept queue, later SYNs dropped and counted',
    { timeout: 60_000 },
    () => {
      const { net, a, b } = pair();
      const l = b.openListener({ port: 80, backlog: 2 });
      const conns = Array.from({ length: 5 }, () => a.openConnection({ address: B, port: 80 }));
      net.run(500); // less than the 1 s initial RTO: no SYN retransmitted yet
      assert.equal(l.pendingCount, 2);
      assert.equal(conns.filter((c) => c.state === 'ESTABLISHED').length, 2);
      assert.equal(conns.filter((c) => c.state === 'SYN-SENT').length, 3);
      assert.equal(b.counters.TcpExtListenDrops, 3);
      // All five SYNs arrived together: the SYN queue (2) was full, the accept queue not yet.
      assert.equal(b.counters.TcpExtListenOverflows, 0);
      // Accepting one frees a slot: the next retransmitted SYN gets in.
      assert.ok(l.accept());
      net.run(1500);
      assert.equal(conns.filter((c) => c.state === 'ESTABLISHED').length, 3);
      assert.equal(l.pendingCount, 2);
      a.close();
      b.close();
    },
  );

  test(
    'listener closed with unaccepted connections → they are reset, the client sees reset',
    { timeout: 60_000 },
    () => {
      const { net, a, b } = pair();
      const l = b.openListener({ port: 80 });
      const c = a.openConnection({ address: B, port: 80 });
      let closed: ConnEvent | undefined;
      c.onEvent = (ev) => {
        if (ev.type === 'closed') closed = ev;
      };
      net.run(100);
      assert.equal(l.pendingCount, 1);
      l.close();
      assert.equal(l.pendingCount, 0);
      net.run(100);
      assert.equal(closed?.type === 'closed' && closed.error?.code, 'reset');
      assert.equal(b.connectionCount, 0);
      // The port is free again.
      b.openListener({ port: 80 }).close();
    },
  );

  test(
    'onConnection set → called at ESTABLISHED with the connection, nothing queued',
    { timeout: 60_000 },
    () => {
      const { net, a, b } = pair();
      const l = b.openListener({ port: 80 });
      const seen: string[] = [];
      l.onConnection = (c) => seen.push(c.state);
      a.openConnection({ address: B, port: 80 });
      net.run(100);
      assert.deepEqual(seen, ['ESTABLISHED']);
      assert.equal(l.pendingCount, 0);
      a.close();
      b.close();
    },
  );

  test(
    'SYN-RECEIVED child reset by the peer → it returns to LISTEN and is discarded; the listener still works',
    { timeout: 60_000 },
    () => {
      const { stack, out } = lone();
      const l = stack.openListener({ port: 80 });
      const states: string[] = [];
      stack.setTrace((e) => {
        if (e.type === 'state') states.push(`${e.from}>${e.to}`);
      });
      stack.receive(buildTcpPacket(A, B, seg({ seq: seq(1000) })));
      assert.equal(stack.connectionCount, 1);
      const synAck = parsePacket(out[0]!);
      assert.ok(synAck.ok && synAck.value.protocol === 'tcp');
      // RST with SEQ = RCV.NXT (1001): acceptable (RFC 5961 §3.2 exact match) → back to LISTEN.
      stack.receive(buildTcpPacket(A, B, seg({ flags: TcpFlag.RST, seq: seq(1001) })));
      assert.deepEqual(states, [
        'CLOSED>LISTEN',
        'LISTEN>SYN-RECEIVED',
        'SYN-RECEIVED>LISTEN',
        'LISTEN>CLOSED',
      ]);
      assert.equal(stack.connectionCount, 0);
      assert.equal(stack.pendingTimerCount, 0);
      assert.equal(stack.counters.TcpAttemptFails, 1);
      assert.equal(l.pendingCount, 0);
      // A new SYN from the same port gets a fresh child.
      stack.receive(buildTcpPacket(A, B, seg({ seq: seq(5000) })));
      assert.equal(stack.connectionCount, 1);
      stack.close();
    },
  );

  test(
    'listener on one of two addresses → SYNs to the other get a RST',
    { timeout: 60_000 },
    () => {
      const { stack, out } = lone([B, '198.18.0.9']);
      stack.openListener({ port: 80, address: '198.18.0.9' });
      stack.receive(buildTcpPacket(A, B, seg({})));
      stack.receive(buildTcpPacket(A, '198.18.0.9', seg({})));
      const flags = out.map((p) => {
        const r = parsePacket(p);
        return r.ok && r.value.protocol === 'tcp' ? [r.value.src, r.value.segment.flags] : [];
      });
      assert.deepEqual(flags, [
        [B, TcpFlag.RST | TcpFlag.ACK],
        ['198.18.0.9', TcpFlag.SYN | TcpFlag.ACK],
      ]);
      stack.close();
    },
  );

  test('port 0 → an ephemeral port in the range', { timeout: 60_000 }, () => {
    const { b } = pair();
    const l = b.openListener({ port: 0 });
    assert.ok(l.port >= 49152 && l.port <= 65535);
    l.close();
  });
});

describe('Stack: resets and errors', () => {
  test(
    'SYN to a closed port → RST,ACK <SEQ=0><ACK=ISS+1>; the client is refused',
    { timeout: 60_000 },
    () => {
      const { net, a, b } = pair();
      const trace: TraceEvent[] = [];
      net.setTrace((e) => trace.push(e));
      const c = a.openConnection({ address: B, port: 81 });
      let closed: ConnEvent | undefined;
      c.onEvent = (ev) => {
        if (ev.type === 'closed') closed = ev;
      };
      net.run();
      assert.deepEqual(
        closed,
        closed?.type === 'closed' ? { ...closed, type: 'closed' } : undefined,
      );
      assert.equal(closed?.type === 'closed' && closed.error?.code, 'refused');
      const syn = trace.find((e) => e.type === 'segment' && e.host === 'a' && e.event === 'send');
      const rst = trace.find((e) => e.type === 'segment' && e.host === 'b' && e.event === 'send');
      assert.ok(syn?.type === 'segment' && rst?.type === 'segment');
      assert.equal(rst.segment.flags, TcpFlag.RST | TcpFlag.ACK);
      assert.equal(rst.segment.seq, 0);
      assert.equal(rst.segment.ack, seqAdd(syn.segment.seq, 1));
      assert.equal(rst.segment.srcPort, 81);
      assert.equal(rst.segment.dstPort, c.tuple.localPort);
      const drop = trace.find((e) => e.type === 'segment' && e.host === 'b' && e.event === 'drop');
      assert.equal(drop?.type === 'segment' && drop.reason, 'no-listener');
      assert.equal(b.counters.TcpOutRsts, 1);
      assert.equal(b.counters.TcpExtTCPNoListener, 1);
      assert.equal(a.counters.TcpAttemptFails, 1);
      assert.equal(a.connectionCount, 0);
    },
  );

  test(
    'ACK to a closed port → RST <SEQ=SEG.ACK>; a RST to a closed port → nothing',
    { timeout: 60_000 },
    () => {
      const { stack, out } = lone();
      stack.receive(buildTcpPacket(A, B, seg({ flags: TcpFlag.ACK, seq: seq(5), ack: seq(777) })));
      assert.equal(out.length, 1);
      const r = parsePacket(out[0]!);
      assert.ok(r.ok && r.value.protocol === 'tcp');
      assert.equal(r.value.src, B);
      assert.equal(r.value.dst, A);
      assert.equal(r.value.segment.flags, TcpFlag.RST);
      assert.equal(r.value.segment.seq, 777);
      stack.receive(buildTcpPacket(A, B, seg({ flags: TcpFlag.RST, seq: seq(5) })));
      assert.equal(out.length, 1);
    },
  );

  test('ACK to a listening port → RST; a SYN with no ACK → SYN-ACK', { timeout: 60_000 }, () => {
    const { stack, out } = lone();
    stack.openListener({ port: 80 });
    stack.receive(buildTcpPacket(A, B, seg({ flags: TcpFlag.ACK, ack: seq(99) })));
    const r = parsePacket(out[0]!);
    assert.ok(r.ok && r.value.protocol === 'tcp');
    assert.equal(r.value.segment.flags, TcpFlag.RST);
    assert.equal(r.value.segment.seq, 99);
    stack.receive(buildTcpPacket(A, B, seg({ seq: seq(1000) })));
    const s = parsePacket(out[1]!);
    assert.ok(s.ok && s.value.protocol === 'tcp');
    assert.equal(s.value.segment.flags, TcpFlag.SYN | TcpFlag.ACK);
    assert.equal(s.value.segment.ack, 1001);
    assert.equal(stack.connectionCount, 1);
    stack.close();
  });

  test(
    'a second listener on a port → EADDRINUSE; a specific address under a wildcard → EADDRINUSE',
    { timeout: 60_000 },
    () => {
      const { stack } = lone([B, '198.18.0.9']);
      const l = stack.openListener({ port: 80 });
      assert.throws(() => stack.openListener({ port: 80 }), { code: 'EADDRINUSE' });
      assert.throws(() => stack.openListener({ port: 80, address: B }), { code: 'EADDRINUSE' });
      l.close();
      const l1 = stack.openListener({ port: 80, address: B });
      const l2 = stack.openListener({ port: 80, address: '198.18.0.9' });
      assert.throws(() => stack.openListener({ port: 80, address: '0.0.0.0' }), {
        code: 'EADDRINUSE',
      });
      assert.throws(
        () => stack.openConnection({ address: A, port: 1, localPort: 80, localAddress: B }),
        {
          code: 'EADDRINUSE',
        },
      );
      l1.close();
      l2.close();
    },
  );

  test(
    'a listener on a port whose old connections are in TIME-WAIT → allowed (SO_REUSEADDR)',
    { timeout: 60_000 },
    () => {
      const { net, a, b } = pair();
      const l = b.openListener({ port: 80 });
      l.onConnection = (c) => c.close();
      const c = a.openConnection({ address: B, port: 80 });
      c.onEvent = (ev) => {
        if (ev.type === 'peer-fin') c.close();
      };
      net.run(100);
      l.close();
      assert.deepEqual(
        [...b.connections()].map((x) => x.state),
        ['TIME-WAIT'],
      );
      const again = b.openListener({ port: 80 });
      assert.equal(again.port, 80);
      net.run();
      assert.equal(b.connectionCount, 0);
      again.close();
    },
  );

  test(
    'connect from an explicit port already used for that peer → EADDRINUSE',
    { timeout: 60_000 },
    () => {
      const { stack } = lone();
      stack.openConnection({ address: A, port: 80, localPort: 5000 });
      assert.throws(
        () => stack.openConnection({ address: A, port: 80, localPort: 5000 }),
        (e) => {
          assert.ok(e instanceof StackError);
          assert.equal(e.code, 'EADDRINUSE');
          return true;
        },
      );
      // Same local port towards another peer is a different 4-tuple.
      stack.openConnection({ address: '198.18.0.7', port: 80, localPort: 5000 });
      assert.equal(stack.connectionCount, 2);
      stack.close();
    },
  );

  test(
    'addresses not ours / wrong family → EADDRNOTAVAIL; garbage → EINVAL',
    { timeout: 60_000 },
    () => {
      const { stack } = lone();
      assert.throws(() => stack.openListener({ port: 80, address: '198.18.0.77' }), {
        code: 'EADDRNOTAVAIL',
      });
      assert.throws(
        () => stack.openConnection({ address: A, port: 80, localAddress: '198.18.0.77' }),
        {
          code: 'EADDRNOTAVAIL',
        },
      );
      assert.throws(() => stack.openConnection({ address: '2001:db8::1', port: 80 }), {
        code: 'EADDRNOTAVAIL',
      });
      assert.throws(() => stack.openConnection({ address: 'nope', port: 80 }), { code: 'EINVAL' });
      assert.throws(() => stack.openConnection({ address: A, port: 0 }), { code: 'EINVAL' });
      assert.throws(() => stack.openConnection({ address: A, port: 70000 }), { code: 'EINVAL' });
      assert.throws(() => stack.openListener({ port: -1 }), { code: 'EINVAL' });
      assert.throws(() => new Stack({ addresses: [], clock: new VirtualClock() }), {
        code: 'EINVAL',
      });
      assert.throws(() => new Stack({ addresses: ['1.2.3'], clock: new VirtualClock() }), {
        code: 'EINVAL',
      });
    },
  );

  test(
    'ephemeral range of 4 ports → 4 connections, the 5th throws EAGAIN; other peers still fine',
    { timeout: 60_000 },
    () => {
      const { stack } = lone([B], { ephemeralPorts: { min: 50000, max: 50003 } });
      const ports = new Set<number>();
      for (let i = 0; i < 4; i++)
        ports.add(stack.openConnection({ address: A, port: 80 }).tuple.localPort);
      assert.deepEqual([...ports].sort(), [50000, 50001, 50002, 50003]);
      assert.throws(() => stack.openConnection({ address: A, port: 80 }), { code: 'EAGAIN' });
      stack.openConnection({ address: A, port: 81 });
      stack.close();
      assert.equal(stack.connectionCount, 0);
      assert.equal(stack.pendingTimerCount, 0);
    },
  );

  test('closed stack → open* throws EINVAL, receive ignores packets', { timeout: 60_000 }, () => {
    const { stack, out } = lone();
    stack.close();
    assert.throws(() => stack.openListener({ port: 80 }), { code: 'EINVAL' });
    stack.receive(buildTcpPacket(A, B, seg({})));
    assert.equal(out.length, 0);
  });
});

describe('Stack: malformed input', () => {
  test(
    '20,000 random and mutated packets → never throws; all counted, traced as malformed',
    { timeout: 60_000 },
    () => {
      const { stack, out } = lone([B, '2001:db8::2']);
      const trace: TraceEvent[] = [];
      stack.setTrace((e) => trace.push(e));
      stack.openListener({ port: 80 });
      const r = seededRandom(42);
      const valid = [
        buildTcpPacket(A, B, seg({})),
        buildTcpPacket(
          '2001:db8::1',
          '2001:db8::2',
          seg({ flags: TcpFlag.ACK, payload: r.bytes(40) }),
        ),
        buildIcmpPacket(A, B, { kind: 'echo-request', id: 1, sequence: 1, data: r.bytes(8) }),
      ];
      let n = 0;
      for (let i = 0; i < 20_000; i++) {
        let p: Uint8Array;
        if (i % 2 === 0) {
          p = r.bytes(r.nextU32() % 120);
          if (p.length > 0 && i % 4 === 0) p[0] = r.next() < 0.5 ? 0x45 : 0x60;
        } else {
          p = valid[i % valid.length]!.slice();
          const flips = 1 + (r.nextU32() % 3);
          for (let k = 0; k < flips; k++) p[r.nextU32() % p.length] ^= 1 << (r.nextU32() % 8);
          if (r.next() < 0.2) p = p.subarray(0, r.nextU32() % p.length);
        }
        stack.receive(p);
        n++;
      }
      stack.receive(undefined as unknown as Uint8Array);
      const c = stack.counters;
      assert.equal(c.IpInReceives, n + 1);
      const malformed = trace.filter((e) => e.type === 'malformed').length;
      assert.ok(malformed > 10_000, `malformed ${malformed}`);
      assert.equal(
        c.IpInHdrErrors + c.TcpInErrs + c.IpInUnknownProtos + c.IpInDelivers + c.IpInAddrErrors >=
          n + 1,
        true,
      );
      assert.ok(c.TcpInCsumErrors > 0);
      assert.ok(out.length >= 0);
      stack.close();
    },
  );

  test(
    'a valid segment with one flipped bit → bad checksum counted, no reply',
    { timeout: 60_000 },
    () => {
      const { stack, out } = lone();
      stack.openListener({ port: 80 });
      const p = buildTcpPacket(A, B, seg({ payload: new Uint8Array([1, 2, 3]) }));
      p[p.length - 1] ^= 0x10;
      stack.receive(p);
      assert.equal(stack.counters.TcpInCsumErrors, 1);
      assert.equal(out.length, 0);
      assert.equal(stack.connectionCount, 0);
    },
  );

  test(
    'SYN to a multicast or broadcast address, or from one → silently dropped (RFC 9293 §3.9.2.3)',
    { timeout: 60_000 },
    () => {
      const any = lone([B], { acceptAnyAddress: true });
      any.stack.openListener({ port: 80 });
      any.stack.receive(buildTcpPacket(A, '224.0.0.1', seg({})));
      any.stack.receive(buildTcpPacket(A, '255.255.255.255', seg({})));
      any.stack.receive(buildTcpPacket('239.1.2.3', B, seg({})));
      any.stack.receive(buildTcpPacket('2001:db8::1', 'ff02::1', seg({})));
      assert.equal(any.out.length, 0);
      assert.equal(any.stack.connectionCount, 0);
      assert.equal(any.stack.counters.IpInAddrErrors, 4);
      any.stack.receive(buildTcpPacket(A, '198.18.0.77', seg({})));
      assert.equal(any.out.length, 1);
      any.stack.close();
    },
  );

  test(
    'a packet for another address → IpInAddrErrors, unless acceptAnyAddress',
    { timeout: 60_000 },
    () => {
      const { stack, out } = lone();
      stack.receive(buildTcpPacket(A, '198.18.0.50', seg({})));
      assert.equal(stack.counters.IpInAddrErrors, 1);
      assert.equal(out.length, 0);
      const any = lone([B], { acceptAnyAddress: true });
      any.stack.openListener({ port: 80 });
      any.stack.receive(buildTcpPacket(A, '198.18.0.50', seg({})));
      const r = parsePacket(any.out[0]!);
      assert.ok(r.ok && r.value.protocol === 'tcp');
      assert.equal(r.value.src, '198.18.0.50');
      assert.equal(r.value.segment.flags, TcpFlag.SYN | TcpFlag.ACK);
      any.stack.close();
    },
  );
});

describe('Stack: ICMP', () => {
  for (const [src, dst] of [
    [A, B],
    ['2001:db8::1', '2001:db8::2'],
  ] as const) {
    test(
      `echo request over IPv${src.includes(':') ? 6 : 4} → echo reply with the same id, sequence and data`,
      { timeout: 60_000 },
      () => {
        const { stack, out } = lone([dst]);
        const data = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
        stack.receive(
          buildIcmpPacket(src, dst, { kind: 'echo-request', id: 0x1234, sequence: 7, data }),
        );
        assert.equal(out.length, 1);
        const r = parsePacket(out[0]!);
        assert.ok(r.ok && r.value.protocol === 'icmp');
        assert.equal(r.value.src, dst);
        assert.equal(r.value.dst, src);
        const m = r.value.icmp;
        assert.equal(m.kind, 'echo-reply');
        assert.ok(m.kind === 'echo-reply');
        assert.equal(m.id, 0x1234);
        assert.equal(m.sequence, 7);
        assert.deepEqual([...m.data], [...data]);
        const c = stack.counters;
        if (src.includes(':')) assert.equal(c.Icmp6InEchos + c.Icmp6OutEchoReplies, 2);
        else assert.equal(c.IcmpInEchos + c.IcmpOutEchoReps, 2);
      },
    );
  }

  test(
    'hard unreachable (port unreachable, code 3) quoting our SYN → the connection fails with unreachable',
    { timeout: 60_000 },
    () => {
      const { stack, out } = lone([A]);
      const c = stack.openConnection({ address: B, port: 80 });
      let closed: ConnEvent | undefined;
      c.onEvent = (ev) => {
        if (ev.type === 'closed') closed = ev;
      };
      const synPacket = out[0]!;
      stack.receive(
        buildIcmpPacket('198.18.0.254', A, {
          kind: 'unreachable',
          code: 3,
          quoted: synPacket.slice(0, 28),
        }),
      );
      assert.equal(closed?.type === 'closed' && closed.error?.code, 'unreachable');
      assert.equal(stack.connectionCount, 0);
      assert.equal(stack.counters.IcmpInDestUnreachs, 1);
    },
  );

  test(
    'soft unreachable (host unreachable, code 1; ICMPv6 code 0) → the SYN keeps trying; when it gives up the error is unreachable',
    { timeout: 60_000 },
    () => {
      for (const [local, remote, router] of [
        [A, B, '198.18.0.254'],
        ['2001:db8::1', '2001:db8::2', '2001:db8::fe'],
      ] as const) {
        const { stack, out, clock } = lone([local], {
          tcp: { synRetries: 1, initialRto: 100, minRto: 100 },
        });
        const c = stack.openConnection({ address: remote, port: 80 });
        const seen: { closed?: ConnEvent } = {};
        c.onEvent = (ev) => {
          if (ev.type === 'closed') seen.closed = ev;
        };
        const quoted = out[0]!.slice(0, remote.includes(':') ? 48 : 28);
        stack.receive(
          buildIcmpPacket(router, local, {
            kind: 'unreachable',
            code: remote.includes(':') ? 0 : 1,
            quoted,
          }),
        );
        assert.equal(c.state, 'SYN-SENT', 'RFC 9293 §3.9.2.2 MUST-56: a soft error does not abort');
        assert.equal(seen.closed, undefined);
        clock.runUntilIdle({ maxTime: 10_000 });
        const final = seen.closed as ConnEvent | undefined; // (assert.equal narrowed it above)
        assert.equal(final?.type === 'closed' && final.error?.code, 'unreachable');
        assert.equal(stack.connectionCount, 0);
      }
    },
  );

  test(
    'unreachable quoting a sequence number not in flight → ignored (RFC 5927 §4.1), counted',
    { timeout: 60_000 },
    () => {
      const { stack, out } = lone([A]);
      const c = stack.openConnection({ address: B, port: 80 });
      const quoted = out[0]!.slice(0, 28);
      quoted[24] ^= 0x80; // the quoted SEQ's top bit: far outside SND.UNA..SND.NXT
      stack.receive(buildIcmpPacket('198.18.0.254', A, { kind: 'unreachable', code: 1, quoted }));
      assert.equal(c.state, 'SYN-SENT');
      assert.equal(stack.counters.IcmpInErrors, 1);
      stack.close();
    },
  );

  test(
    'path MTU smaller than the link (SimNetwork 1000) → frag-needed lowers the MSS, bytes still arrive',
    { timeout: 60_000 },
    () => {
      const net = new SimNetwork({ seed: 2, clock: 'virtual', delay: 1 });
      const server = net.addHost({ address: B, mtu: 1500 });
      const client = net.addHost({ address: A, mtu: 1500 });
      net.setPath(A, B, { mtu: 1000 });
      const data = seededRandom(1).bytes(20_000);
      const chunks: Uint8Array[] = [];
      server.openListener({ port: 80 }).onConnection = (c) => {
        c.onEvent = (ev) => {
          if (ev.type === 'readable') chunks.push(c.read());
          if (ev.type === 'peer-fin') c.close();
        };
      };
      const c = client.openConnection({ address: B, port: 80 });
      let mssAfter = 0;
      c.onEvent = (ev) => {
        if (ev.type === 'established') {
          c.write(data);
          c.close();
        }
        if (ev.type === 'peer-fin') mssAfter = c.info().sndMss;
      };
      assert.equal(net.run(), true);
      assert.equal(sha(concat(chunks)), sha(data));
      assert.ok(net.stats.dropped.mtu > 0);
      assert.ok(net.stats.icmpSent > 0);
      assert.equal(mssAfter, 960);
    },
  );
});

describe('Stack: timers and teardown', () => {
  test(
    'one clock timer for many connections → the clock holds 1 timer while 50 connections wait',
    { timeout: 60_000 },
    () => {
      const clock = new VirtualClock();
      const stack = new Stack({ addresses: [A], clock, seed: 1 });
      stack.setOutput(() => {});
      for (let i = 0; i < 50; i++) stack.openConnection({ address: B, port: 80 });
      assert.equal(stack.pendingTimerCount, 50);
      assert.equal(clock.pending, 1);
      // SYN retries run out (1+2+4+8+16+32+64 s): every connection times out, nothing is left.
      assert.equal(clock.runUntilIdle({ maxTime: 600_000 }), true);
      assert.equal(stack.connectionCount, 0);
      assert.equal(stack.pendingTimerCount, 0);
      assert.equal(stack.counters.TcpAttemptFails, 50);
      assert.ok(stack.counters.TcpRetransSegs >= 50 * 6);
    },
  );

  test(
    'close() → every connection aborted (RST for synchronized ones), no timer left',
    { timeout: 60_000 },
    () => {
      const { net, a, b } = pair();
      b.openListener({ port: 80 });
      const conns = [0, 1, 2].map(() => a.openConnection({ address: B, port: 80 }));
      const errors: string[] = [];
      for (const c of conns) {
        c.onEvent = (ev) => {
          if (ev.type === 'closed') errors.push(ev.error?.code ?? 'none');
        };
      }
      net.run(50);
      assert.ok(conns.every((c) => c.state === 'ESTABLISHED'));
      a.close();
      assert.deepEqual(errors, ['aborted', 'aborted', 'aborted']);
      assert.equal(a.connectionCount, 0);
      assert.equal(a.pendingTimerCount, 0);
      net.run();
      assert.equal(b.connectionCount, 0);
      assert.equal(b.counters.TcpEstabResets, 3);
    },
  );

  test(
    'handlers calling write/read/close/abort synchronously → no recursion, order kept',
    { timeout: 60_000 },
    () => {
      const { net, a, b } = pair();
      const log: string[] = [];
      b.openListener({ port: 80 }).onConnection = (c) => {
        c.onEvent = (ev) => {
          if (ev.type === 'readable') {
            const got = c.read();
            log.push(`server read ${got.length}`);
            c.write(got);
            c.write(got);
            c.close();
          }
        };
      };
      const c = a.openConnection({ address: B, port: 80 });
      let echoed = 0;
      c.onEvent = (ev) => {
        log.push(`client ${ev.type}`);
        if (ev.type === 'established') c.write(new Uint8Array(100));
        if (ev.type === 'readable') echoed += c.read().length;
        if (ev.type === 'peer-fin') c.abort();
      };
      net.run();
      assert.equal(echoed, 200);
      assert.ok(log.includes('server read 100'));
      assert.equal(log.at(-1), 'client closed');
      assert.equal(a.connectionCount + b.connectionCount, 0);
    },
  );

  test(
    'a throwing handler with onError set → onError gets it, the other handlers still run',
    { timeout: 60_000 },
    () => {
      const { net, a, b } = pair();
      const errors: unknown[] = [];
      a.onError = (e) => errors.push(e);
      b.openListener({ port: 80 });
      const c1 = a.openConnection({ address: B, port: 80 });
      const c2 = a.openConnection({ address: B, port: 80 });
      let c2Established = false;
      c1.onEvent = (ev) => {
        if (ev.type === 'established') throw new Error('c1 handler bug');
      };
      c2.onEvent = (ev) => {
        if (ev.type === 'established') c2Established = true;
      };
      net.run(50);
      assert.equal(errors.length, 1);
      assert.equal((errors[0] as Error).message, 'c1 handler bug');
      assert.equal(c2Established, true);
      assert.equal(c1.state, 'ESTABLISHED');
      a.close();
      b.close();
    },
  );

  test(
    'a throwing handler → the stack stays consistent, the error surfaces asynchronously',
    { timeout: 60_000 },
    async () => {
      const { net, a, b } = pair();
      b.openListener({ port: 80 });
      const c = a.openConnection({ address: B, port: 80 });
      c.onEvent = (ev) => {
        if (ev.type === 'established') throw new Error('handler bug');
      };
      const errors: unknown[] = [];
      const onUncaught = (e: unknown): void => {
        errors.push(e);
      };
      // Only this test's listener may see the error (the runner's own would report it as a failure).
      const saved = process.listeners('uncaughtException');
      process.removeAllListeners('uncaughtException');
      process.on('uncaughtException', onUncaught);
      try {
        net.run(50);
        await new Promise((r) => setImmediate(r));
      } finally {
        process.removeListener('uncaughtException', onUncaught);
        for (const l of saved) process.on('uncaughtException', l);
      }
      assert.equal(c.state, 'ESTABLISHED');
      assert.equal((errors[0] as Error | undefined)?.message, 'handler bug');
      a.close();
      b.close();
    },
  );
});
