/**
 * Link offloads end to end (src/stack/link-offload.ts): software GSO segmentation and checksum
 * completion byte for byte; SimNetwork's `offload` passing GSO packets and partial checksums only
 * on paths where that is safe; the stack's software GSO; counters; and the pcap of an offloaded
 * transfer passing tshark's expert analysis.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { SimNetwork, type SimNetworkOptions } from '../../src/link/sim-network.js';
import { Stack } from '../../src/stack/stack.js';
import { VirtualClock } from '../../src/stack/virtual-clock.js';
import { completeChecksum, segmentGso } from '../../src/stack/gso-segment.js';
import type { TxMeta } from '../../src/stack/link-offload.js';
import { TraceRecorder } from '../../src/trace/traced.js';
import { pcapFromEvents } from '../../src/trace/events-pcap.js';
import type { TraceEvent } from '../../src/stack/trace-event.js';
import { seededRandom } from '../../src/tcp/random.js';
import { buildTcpPacket, parsePacket } from '../../src/wire/ip-packet.js';
import { seq, seqDiff, type SeqNum } from '../../src/wire/seqnum.js';
import { flagNames, TcpFlag, type TcpSegment } from '../../src/wire/tcp-segment.js';
import { expertErrors, removeFile, tmpPath } from '../tun/netns.js';

const A = '198.18.0.1';
const B = '198.18.0.2';
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function segment(payload: Uint8Array, flags: number, seqNo = 0xffff_fc00): TcpSegment {
  return {
    srcPort: 40000,
    dstPort: 80,
    seq: seq(seqNo),
    ack: seq(77),
    flags,
    window: 1000,
    urgent: 0,
    options: { timestamps: { tsVal: 5, tsEcr: 6 } },
    payload,
  };
}

function gsoMeta(packet: Uint8Array, mss: number): TxMeta {
  const ipLen = packet[0]! >>> 4 === 4 ? 20 : 40;
  return {
    needsCsum: true,
    csumStart: ipLen,
    csumOffset: 16,
    gsoSize: mss,
    hdrLen: ipLen + (packet[ipLen + 12]! >>> 4) * 4,
  };
}

describe('software GSO and checksum completion', () => {
  for (const [src, dst] of [
    [A, B],
    ['2001:db8::1', '2001:db8::2'],
  ] as const) {
    test(`a GSO packet is cut at MSS boundaries, each piece with a full checksum (${src})`, () => {
      const data = seededRandom(3).bytes(3500);
      const flags = TcpFlag.ACK | TcpFlag.PSH | TcpFlag.FIN | TcpFlag.CWR;
      const big = buildTcpPacket(src, dst, segment(data, flags), { partialChecksum: true });
      // Partial: the field holds the pseudo-header sum, so the packet does not verify as it is.
      const unchecked = parsePacket(big);
      assert.equal(unchecked.ok ? 'ok' : unchecked.reason, 'bad-checksum');
      const pieces = segmentGso(big, gsoMeta(big, 1000));
      const parsed = pieces.map((p) => {
        const r = parsePacket(p);
        assert.ok(r.ok && r.value.protocol === 'tcp', 'each piece parses, its checksum verifies');
        assert.ok(r.ok && r.value.protocol === 'tcp');
        return r.value.segment;
      });
      assert.deepEqual(
        parsed.map((s) => [s.seq, s.payload.length, flagNames(s.flags).join(',')]),
        [
          // SEQ wraps past 2^32 between the second and the third piece (RFC 9293 §3.4).
          [0xffff_fc00, 1000, 'ACK,CWR'],
          [0xffff_ffe8, 1000, 'ACK'],
          [976, 1000, 'ACK'],
          [1976, 500, 'FIN,PSH,ACK'],
        ],
      );
      assert.deepEqual(
        parsed.map((s) => s.options),
        parsed.map(() => ({ timestamps: { tsVal: 5, tsEcr: 6 } })),
      );
      const joined = new Uint8Array(3500);
      let o = 0;
      for (const s of parsed) {
        joined.set(s.payload, o);
        o += s.payload.length;
      }
      assert.deepEqual(joined, data);
    });
  }

  test('completing a partial checksum gives the checksum a full build computes', () => {
    const s = segment(seededRandom(4).bytes(777), TcpFlag.ACK);
    const full = buildTcpPacket(A, B, s);
    const partial = buildTcpPacket(A, B, s, { partialChecksum: true });
    assert.notDeepEqual(partial, full);
    completeChecksum(partial, gsoMeta(partial, 0));
    assert.deepEqual(partial, full);
  });

  test('a packet with nothing to cut comes back whole, checksum completed', () => {
    const s = segment(seededRandom(5).bytes(900), TcpFlag.ACK);
    const partial = buildTcpPacket(A, B, s, { partialChecksum: true });
    const out = segmentGso(partial, gsoMeta(partial, 1000));
    assert.deepEqual(out, [buildTcpPacket(A, B, s)]);
  });
});

interface Run {
  net: SimNetwork;
  events: TraceEvent[];
  /** Payload sizes of the segments the server received, in order. */
  recvSizes: number[];
  ok: boolean;
  client: Stack;
  server: Stack;
}

/** 300 kB client → server, closed by the client; the server checks the bytes. */
function offloadedTransfer(
  opts: SimNetworkOptions,
  bytes = 300_000,
  [a, b]: readonly [string, string] = [A, B],
): Run {
  const net = new SimNetwork({ clock: 'virtual', seed: 7, mtu: 1500, ...opts });
  const rec = new TraceRecorder();
  net.setTrace(rec.sink);
  const server = net.addHost({ address: b, name: 'server' });
  const client = net.addHost({ address: a, name: 'client' });
  const data = seededRandom(9).bytes(bytes);
  const hash = createHash('sha256');
  let got = '';
  server.openListener({ port: 80 }).onConnection = (c) => {
    c.onEvent = (ev) => {
      if (ev.type === 'readable') hash.update(c.read());
      if (ev.type === 'peer-fin') {
        hash.update(c.read());
        got = hash.digest('hex');
        c.close();
      }
    };
  };
  const c = client.openConnection({ address: b, port: 80 });
  let written = 0;
  const pump = (): void => {
    while (written < data.length) {
      const n = c.write(data.subarray(written));
      if (n === 0) return;
      written += n;
    }
    c.close();
  };
  c.onEvent = (ev) => {
    if (ev.type === 'established' || ev.type === 'writable') pump();
  };
  assert.ok(net.run(600_000), 'the network goes idle');
  const recvSizes = rec.events.flatMap((e) =>
    e.type === 'segment' && e.event === 'recv' && e.host === 'server'
      ? [e.segment.payload.length]
      : [],
  );
  return {
    net,
    events: rec.events,
    recvSizes,
    ok: got === sha(data),
    client,
    server,
  };
}

const sendSizes = (r: Run, host: string): number[] =>
  r.events.flatMap((e) =>
    e.type === 'segment' && e.event === 'send' && e.host === host ? [e.segment.payload.length] : [],
  );

describe('SimNetwork offload', () => {
  test('default (off): every segment is at most one MSS, every packet with a full checksum', () => {
    const r = offloadedTransfer({});
    assert.ok(r.ok);
    assert.ok(Math.max(...sendSizes(r, 'client')) <= 1460);
    assert.equal(r.server.counters.TcpInCsumErrors, 0);
  });

  test('on an unimpaired path GSO packets cross whole, and the transfer is exact', () => {
    const off = offloadedTransfer({});
    const r = offloadedTransfer({ offload: true });
    assert.ok(r.ok);
    const sizes = sendSizes(r, 'client');
    assert.ok(Math.max(...sizes) > 2 * 1460, `GSO segments: ${sizes.slice(0, 10).join(' ')}`);
    // Delivered whole (as Linux hands a GSO packet to a local receiver): the receiver sees them.
    assert.ok(Math.max(...r.recvSizes) > 2 * 1460);
    assert.ok(
      r.net.stats.sent * 4 < off.net.stats.sent,
      `${r.net.stats.sent} vs ${off.net.stats.sent}`,
    );
    // OutSegs counts each GSO packet as its MSS pieces (Linux tcp_skb_pcount).
    const pcount = sizes.reduce((n, len) => n + Math.max(1, Math.ceil(len / 1460)), 0);
    assert.equal(r.client.counters.TcpOutSegs, pcount);
    assert.equal(r.server.counters.TcpInCsumErrors, 0);
  });

  test('a lossy path forces MSS-sized packets with full checksums, and recovery works', () => {
    const r = offloadedTransfer({ offload: true, loss: 0.03 });
    assert.ok(r.ok);
    assert.ok(Math.max(...sendSizes(r, 'client')) > 1460, 'the sender still builds GSO segments');
    assert.ok(Math.max(...r.recvSizes) <= 1460, 'the receiver sees MSS-sized segments only');
    assert.ok(r.net.stats.dropped.loss > 0);
    assert.ok(r.client.counters.TcpRetransSegs > 0);
    // Every retransmission (a segment starting below the highest sequence sent) is ≤ 1 SMSS.
    let first: SeqNum | undefined;
    let high = -1;
    let rtx = 0;
    for (const e of r.events) {
      if (e.type !== 'segment' || e.event !== 'send' || e.host !== 'client') continue;
      const s = e.segment;
      if (s.payload.length === 0) continue;
      first ??= s.seq;
      const start = seqDiff(s.seq, first);
      if (high >= 0 && start < high) {
        rtx++;
        assert.ok(s.payload.length <= 1460, `retransmission of ${s.payload.length} bytes`);
      }
      high = Math.max(high, start + s.payload.length);
    }
    assert.ok(rtx > 0);
    assert.equal(r.server.counters.TcpInCsumErrors, 0);
  });

  test('corruption turns checksum offload off: the receiver catches every flipped bit', () => {
    const r = offloadedTransfer({ offload: true, corrupt: 0.05 });
    assert.ok(r.ok);
    assert.ok(r.net.stats.dropped.corrupt > 0);
    // Full checksums on the path: each corrupted packet that reached the server was counted there
    // (a flipped bit in the IP header is caught by the IPv4 header checksum instead).
    const c = r.server.counters;
    assert.ok(c.TcpInCsumErrors + c.IpInHdrErrors > 0);
    assert.ok(Math.max(...r.recvSizes) <= 1460);
  });

  test('IPv6: GSO packets cross an unimpaired path, MSS 1440', () => {
    const r = offloadedTransfer({ offload: true }, 300_000, ['2001:db8::1', '2001:db8::2']);
    assert.ok(r.ok);
    const sizes = sendSizes(r, 'client');
    assert.ok(Math.max(...sizes) > 2 * 1440);
    assert.ok(sizes.every((n) => n <= 65535 - 100));
  });

  for (const [name, opts] of [
    ['duplication', { duplicate: 0.05 }],
    ['reordering', { reorder: 0.05, delay: 5 }],
    ['a bandwidth limit', { bandwidth: 10_000_000 }],
  ] as const) {
    test(`${name} on the path turns GSO pass-through off`, () => {
      const r = offloadedTransfer({ offload: true, ...opts });
      assert.ok(r.ok);
      assert.ok(Math.max(...r.recvSizes) <= 1460);
    });
  }

  test('a path MTU below the segments: software GSO first, then frag-needed and PMTUD', () => {
    const net = new SimNetwork({ clock: 'virtual', seed: 3, mtu: 1500, offload: true });
    const server = net.addHost({ address: B });
    const client = net.addHost({ address: A });
    net.setPath(A, B, { mtu: 1200 });
    let got = 0;
    server.openListener({ port: 80 }).onConnection = (c) => {
      c.onEvent = (ev) => {
        if (ev.type === 'readable') got += c.read().length;
      };
    };
    const c = client.openConnection({ address: B, port: 80 });
    c.onEvent = (ev) => {
      if (ev.type === 'established') c.write(new Uint8Array(50_000));
    };
    net.run(60_000);
    assert.equal(got, 50_000);
    assert.ok(net.stats.icmpSent > 0);
    assert.ok(net.stats.dropped.mtu > 0);
  });

  test('the pcap of an offloaded transfer passes tshark -z expert (GSO segments drawn whole)', async () => {
    const r = offloadedTransfer({ offload: true }, 200_000);
    assert.ok(r.ok);
    const pcap = tmpPath('pcap');
    try {
      writeFileSync(pcap, pcapFromEvents(r.events));
      const x = await expertErrors(pcap);
      assert.ok(x.packets > 0);
      assert.equal(x.errors, '', x.report);
    } finally {
      removeFile(pcap);
    }
  });
});

describe('the stack and its link', () => {
  /** Two stacks on a virtual clock; a's output goes through `link` to b, b's straight to a. */
  function wired(
    aOpts: { softwareGso?: boolean },
    offload: Parameters<Stack['setOutput']>[1],
    calls: { length: number; meta: TxMeta | undefined }[],
  ): { a: Stack; b: Stack; clock: VirtualClock } {
    const clock = new VirtualClock();
    const a = new Stack({ addresses: [A], clock, seed: 1, ...aOpts });
    const b = new Stack({ addresses: [B], clock, seed: 2 });
    a.setOutput((p, meta) => {
      calls.push({ length: p.length, meta });
      // This link completes the checksum and hands a GSO packet on whole (as Linux delivers one
      // locally): the receiver verifies it in full and takes the large segment.
      const copy = p.slice();
      if (meta?.needsCsum) completeChecksum(copy, meta);
      clock.schedule(clock.now() + 1, () => b.receive(copy));
    }, offload);
    b.setOutput((p) => {
      const copy = p.slice();
      clock.schedule(clock.now() + 1, () => a.receive(copy));
    });
    return { a, b, clock };
  }

  function send(a: Stack, b: Stack, clock: VirtualClock, n: number): number {
    let got = 0;
    b.openListener({ port: 80 }).onConnection = (c) => {
      c.onEvent = (ev) => {
        if (ev.type === 'readable') got += c.read().length;
      };
    };
    const c = a.openConnection({ address: B, port: 80 });
    c.onEvent = (ev) => {
      if (ev.type === 'established') c.write(new Uint8Array(n).fill(1));
    };
    for (let i = 0; i < 100_000 && clock.advance(); i++) {
      if (got === n) break;
    }
    return got;
  }

  test('without offload the link gets complete packets and no metadata (one-argument calls)', () => {
    const calls: { length: number; meta: TxMeta | undefined }[] = [];
    const { a, b, clock } = wired({}, undefined, calls);
    assert.equal(send(a, b, clock, 20_000), 20_000);
    assert.ok(calls.every((x) => x.meta === undefined && x.length <= 1500));
  });

  test('tx checksum offload: CHECKSUM_PARTIAL metadata on every TCP packet, no GSO', () => {
    const calls: { length: number; meta: TxMeta | undefined }[] = [];
    const { a, b, clock } = wired({}, { txChecksum: true }, calls);
    assert.equal(send(a, b, clock, 20_000), 20_000);
    assert.ok(calls.length > 0);
    for (const x of calls) {
      assert.deepEqual(x.meta, {
        needsCsum: true,
        csumStart: 20,
        csumOffset: 16,
        gsoSize: 0,
        hdrLen: 0,
      });
      assert.ok(x.length <= 1500);
    }
  });

  test('GSO: packets up to gsoMaxSize with gsoSize = MSS and hdrLen', () => {
    const calls: { length: number; meta: TxMeta | undefined }[] = [];
    const { a, b, clock } = wired({}, { txChecksum: true, gsoMaxSize: 16_000 }, calls);
    assert.equal(send(a, b, clock, 100_000), 100_000);
    const gso = calls.filter((x) => x.meta && x.meta.gsoSize > 0);
    assert.ok(gso.length > 0);
    for (const x of gso) {
      assert.equal(x.meta!.gsoSize, 1460);
      assert.ok(x.meta!.hdrLen >= 40 && x.meta!.hdrLen <= 80);
      assert.ok(x.length <= 16_000);
    }
    assert.ok(Math.max(...gso.map((x) => x.length)) > 1500);
  });

  test('software GSO: the stack cuts large segments itself before a link without GSO', () => {
    const calls: { length: number; meta: TxMeta | undefined }[] = [];
    const { a, b, clock } = wired({ softwareGso: true }, undefined, calls);
    const traced: number[] = [];
    a.setTrace((e) => {
      if (e.type === 'segment' && e.event === 'send') traced.push(e.segment.payload.length);
    });
    assert.equal(send(a, b, clock, 100_000), 100_000);
    assert.ok(Math.max(...traced) > 1460, 'the engine built GSO segments');
    assert.ok(
      calls.every((x) => x.meta === undefined && x.length <= 1500),
      'the link saw MTU-sized packets',
    );
    assert.equal(b.counters.TcpInCsumErrors, 0);
  });

  test('a declaration the stack cannot honour is refused', () => {
    const s = new Stack({ addresses: [A], clock: new VirtualClock() });
    assert.throws(
      () => s.setOutput(() => {}, { txChecksum: false, gsoMaxSize: 65535 }),
      RangeError,
    );
    assert.throws(
      () => s.setOutput(() => {}, { txChecksum: true, gsoMaxSize: 70_000 }),
      RangeError,
    );
  });
});
