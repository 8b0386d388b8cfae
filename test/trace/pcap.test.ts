import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { LinkType, PcapWriter, pcapFileHeader, pcapRecord } from '../../src/trace/pcap-writer.js';
import { PcapError, readCapture } from '../../src/trace/pcap-reader.js';
import { decodeFrame } from '../../src/trace/capture-decode.js';
import { traceFromCapture } from '../../src/trace/capture-trace.js';
import { buildLadder, arrowsOf } from '../../src/trace/ladder.js';
import { renderLadderText } from '../../src/trace/ladder-text.js';
import { pcapFromEvents } from '../../src/trace/events-pcap.js';
import { buildTcpPacket } from '../../src/wire/ip-packet.js';
import { TcpFlag } from '../../src/wire/tcp-segment.js';
import { fullConnection, seg } from './synthetic.js';

const LINUX_CAPTURE = new URL('../../../../shared/captures/linux-http-get.pcap', import.meta.url);
const OWN_CAPTURE = new URL('../../../test/fixtures/synack-handshake.pcap', import.meta.url);
/** The same capture rewritten by Wireshark's own writer (tshark -F pcapng): a real pcapng. */
const OWN_PCAPNG = new URL('../../../test/fixtures/synack-handshake.pcapng', import.meta.url);

const synPacket = (): Uint8Array =>
  buildTcpPacket(
    '198.18.0.1',
    '198.18.0.2',
    seg('c', TcpFlag.SYN, 1000, 0, 0, { options: { mss: 1460 } }),
  );

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A pcapng block: type, length, body (padded to 4), length again. */
function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const padded = new Uint8Array(Math.ceil(body.length / 4) * 4);
  padded.set(body);
  const b = new Uint8Array(12 + padded.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, type, le);
  v.setUint32(4, b.length, le);
  b.set(padded, 8);
  v.setUint32(b.length - 4, b.length, le);
  return b;
}

function pcapng(
  le: boolean,
  linkType: number,
  frames: { t: bigint; data: Uint8Array }[],
): Uint8Array {
  const shb = new Uint8Array(16);
  const sv = new DataView(shb.buffer);
  sv.setUint32(0, 0x1a2b3c4d, le);
  sv.setUint16(4, 1, le);
  sv.setUint16(6, 0, le);
  sv.setBigInt64(8, -1n, le);
  const idb = new Uint8Array(8 + 8 + 4);
  const iv = new DataView(idb.buffer);
  iv.setUint16(0, linkType, le);
  iv.setUint32(4, 65535, le);
  iv.setUint16(8, 9, le); // if_tsresol
  iv.setUint16(10, 1, le);
  idb[12] = 9; // nanoseconds
  const blocks = [block(0x0a0d0d0a, shb, le), block(1, idb, le)];
  for (const f of frames) {
    const epb = new Uint8Array(20 + f.data.length);
    const ev = new DataView(epb.buffer);
    ev.setUint32(0, 0, le);
    ev.setUint32(4, Number(f.t >> 32n), le);
    ev.setUint32(8, Number(f.t & 0xffffffffn), le);
    ev.setUint32(12, f.data.length, le);
    ev.setUint32(16, f.data.length, le);
    epb.set(f.data, 20);
    blocks.push(block(6, epb, le));
  }
  blocks.push(block(5, new Uint8Array(8), le)); // an Interface Statistics Block: ignored
  return concat(...blocks);
}

describe('pcap writer', () => {
  test('file header: magic, version 2.4, snaplen 262144, LINKTYPE_RAW (101), little-endian', () => {
    assert.deepEqual(
      [...pcapFileHeader()],
      [0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 101, 0, 0, 0],
    );
  });

  test('record: seconds and microseconds split, lengths, bytes', () => {
    const r = pcapRecord(Uint8Array.of(0x45, 1, 2), 1_700_000_000_123.456);
    const v = new DataView(r.buffer);
    assert.equal(v.getUint32(0, true), 1_700_000_000);
    assert.equal(v.getUint32(4, true), 123_456);
    assert.equal(v.getUint32(8, true), 3);
    assert.equal(v.getUint32(12, true), 3);
    assert.deepEqual([...r.subarray(16)], [0x45, 1, 2]);
  });

  test('round trip through the reader: same packets, same times', () => {
    const w = new PcapWriter(1_000_000);
    const p = synPacket();
    w.add(p, 0);
    w.add(p, 10.5);
    const cap = readCapture(w.bytes());
    assert.equal(cap.format, 'pcap');
    assert.equal(cap.truncated, false);
    assert.deepEqual(
      cap.packets.map((x) => [x.t, x.linkType, x.origLen]),
      [
        [1_000_000, 101, p.length],
        [1_000_010.5, 101, p.length],
      ],
    );
    assert.deepEqual(cap.packets[1]?.data, p);
  });

  test('tap: wraps a link’s deliver function, records then delivers', () => {
    const w = new PcapWriter();
    const got: Uint8Array[] = [];
    const tapped = w.tap(
      (pkt: Uint8Array) => got.push(pkt),
      () => 42,
    );
    tapped(synPacket());
    assert.equal(got.length, 1);
    assert.equal(w.packets, 1);
    assert.equal(readCapture(w.bytes()).packets[0]?.t, 42);
  });

  test('events → pcap: one packet per send, decodable back to the same segments', () => {
    const events = fullConnection({ synLost: true });
    const bytes = pcapFromEvents(events, 0);
    const sends = events.filter((e) => e.type === 'segment' && e.event === 'send');
    const ct = traceFromCapture(bytes);
    assert.equal(ct.packets, sends.length);
    assert.equal(ct.tcpPackets, sends.length);
    const l = buildLadder(ct.events);
    assert.deepEqual(
      arrowsOf(l).map(
        (a) => `${a.view.flags.join(',')} ${a.view.relSeq} ${a.view.relAck} ${a.view.len}`,
      ),
      [
        'SYN 0 0 0',
        'SYN 0 0 0',
        'SYN,ACK 0 1 0',
        'ACK 1 1 0',
        'PSH,ACK 1 1 100',
        'PSH,ACK 1 101 300',
        'FIN,ACK 101 301 0',
        'ACK 301 102 0',
        'FIN,ACK 301 102 0',
        'ACK 102 302 0',
      ],
    );
  });
});

describe('pcap reader', () => {
  test('big-endian, nanosecond pcap', () => {
    const p = synPacket();
    const h = new Uint8Array(24);
    const hv = new DataView(h.buffer);
    hv.setUint32(0, 0xa1b23c4d, false);
    hv.setUint16(4, 2, false);
    hv.setUint16(6, 4, false);
    hv.setUint32(16, 65535, false);
    hv.setUint32(20, 101, false);
    const r = new Uint8Array(16);
    const rv = new DataView(r.buffer);
    rv.setUint32(0, 2, false);
    rv.setUint32(4, 500_000, false); // 0.5 ms in ns
    rv.setUint32(8, p.length, false);
    rv.setUint32(12, p.length, false);
    const cap = readCapture(concat(h, r, p));
    assert.equal(cap.packets[0]?.t, 2000.5);
    assert.equal(decodeFrame(101, cap.packets[0]?.data ?? new Uint8Array()).ok, true);
  });

  for (const le of [true, false]) {
    test(`pcapng (${le ? 'little' : 'big'}-endian): SHB, IDB with if_tsresol=9, EPBs, other blocks skipped`, () => {
      const eth = concat(new Uint8Array(12), Uint8Array.of(0x08, 0x00), synPacket());
      const cap = readCapture(
        pcapng(le, 1, [
          { t: 1_700_000_000_000_000_123n, data: eth },
          { t: 1_700_000_000_001_000_000n, data: eth },
        ]),
      );
      assert.equal(cap.format, 'pcapng');
      assert.equal(cap.packets.length, 2);
      assert.equal(cap.packets[0]?.linkType, 1);
      assert.ok(Math.abs((cap.packets[1]?.t ?? 0) - (cap.packets[0]?.t ?? 0) - 1) < 1e-3);
      const d = decodeFrame(1, cap.packets[0]?.data ?? new Uint8Array());
      assert.ok(d.ok);
      if (d.ok) assert.equal(d.src, '198.18.0.1');
    });
  }

  test('truncated last record → packets before it kept, truncated flag set', () => {
    const w = new PcapWriter();
    w.add(synPacket(), 0);
    w.add(synPacket(), 1);
    const b = w.bytes();
    const cap = readCapture(b.subarray(0, b.length - 5));
    assert.equal(cap.packets.length, 1);
    assert.equal(cap.truncated, true);
  });

  test('not a capture → PcapError', () => {
    assert.throws(() => readCapture(new TextEncoder().encode('hello, world, not pcap')), PcapError);
    assert.throws(() => readCapture(new Uint8Array(2)), PcapError);
  });

  test('any bytes → a Capture or a PcapError, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (tail, ng) => {
        const head = ng ? Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a) : pcapFileHeader();
        try {
          const cap = readCapture(concat(head, tail));
          for (const p of cap.packets) decodeFrame(p.linkType, p.data, p.origLen);
        } catch (e) {
          if (!(e instanceof PcapError)) throw e;
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('frame decoding', () => {
  const ip = synPacket();
  test('Ethernet with an 802.1Q tag, Linux SLL, SLL2, BSD loopback, raw IP → the same segment', () => {
    const frames: [number, Uint8Array][] = [
      [
        LinkType.ETHERNET,
        concat(new Uint8Array(12), Uint8Array.of(0x81, 0x00, 0, 5, 0x08, 0x00), ip),
      ],
      [LinkType.LINUX_SLL, concat(new Uint8Array(14), Uint8Array.of(0x08, 0x00), ip)],
      [LinkType.LINUX_SLL2, concat(Uint8Array.of(0x08, 0x00), new Uint8Array(18), ip)],
      [LinkType.NULL, concat(Uint8Array.of(2, 0, 0, 0), ip)],
      [LinkType.RAW, ip],
      [LinkType.IPV4, ip],
    ];
    for (const [lt, f] of frames) {
      const d = decodeFrame(lt, f);
      assert.ok(d.ok, `link type ${lt}`);
      if (!d.ok) continue;
      assert.equal(d.src, '198.18.0.1');
      assert.equal(d.dst, '198.18.0.2');
      assert.equal(d.segment.seq, 1000);
      assert.equal(d.segment.options.mss, 1460);
    }
  });

  test('IPv6 with a hop-by-hop extension header', () => {
    const v6 = buildTcpPacket('2001:db8::1', '2001:db8::2', seg('c', TcpFlag.SYN, 7, 0));
    // Insert an 8-byte hop-by-hop header (next header TCP) after the fixed header.
    const withExt = concat(
      v6.subarray(0, 40),
      Uint8Array.of(6, 0, 1, 4, 0, 0, 0, 0),
      v6.subarray(40),
    );
    withExt[6] = 0;
    withExt[5] = (withExt[5] as number) + 8;
    const d = decodeFrame(LinkType.RAW, withExt);
    assert.ok(d.ok);
    if (d.ok) {
      assert.equal(d.src, '2001:db8::1');
      assert.equal(d.segment.seq, 7);
    }
  });

  test('not TCP, other ethertypes, truncations, unknown link types → a reason, not a throw', () => {
    const udp = ip.slice();
    udp[9] = 17;
    assert.deepEqual(decodeFrame(LinkType.RAW, udp), { ok: false, reason: 'IP protocol 17' });
    assert.deepEqual(
      decodeFrame(LinkType.ETHERNET, concat(new Uint8Array(12), Uint8Array.of(0x08, 0x06))),
      {
        ok: false,
        reason: 'ethertype 0x806',
      },
    );
    assert.deepEqual(decodeFrame(LinkType.RAW, ip.subarray(0, 10)), {
      ok: false,
      reason: 'truncated IPv4 header',
    });
    assert.deepEqual(decodeFrame(999, ip), { ok: false, reason: 'unsupported link type 999' });
    const cut = decodeFrame(LinkType.RAW, ip.subarray(0, 30));
    assert.equal(cut.ok, false);
  });

  test('snaplen-cut payload → its real length kept (what the ladder shows)', () => {
    const big = buildTcpPacket('198.18.0.1', '198.18.0.2', seg('c', TcpFlag.ACK, 1, 1, 1000));
    const d = decodeFrame(LinkType.RAW, big.subarray(0, 100), big.length);
    assert.ok(d.ok);
    if (d.ok) {
      assert.equal(d.payloadLen, 1000);
      assert.equal(d.segment.payload.length, 1000);
    }
  });
});

describe('captures made by others', () => {
  test('linux-http-get.pcap (Ethernet, Linux 6.18 both ends) → 25 TCP packets, states inferred', (t) => {
    if (!existsSync(LINUX_CAPTURE)) {
      t.skip('../shared/captures/linux-http-get.pcap is not beside the repository');
      return;
    }
    const ct = traceFromCapture(readFileSync(LINUX_CAPTURE));
    assert.equal(ct.format, 'pcap');
    assert.equal(ct.packets, 25);
    assert.equal(ct.tcpPackets, 25);
    assert.deepEqual(ct.hosts, ['198.18.0.1', '198.18.0.2']);
    const l = buildLadder(ct.events);
    assert.equal(l.inferred, true);
    assert.deepEqual(l.lanes[0]?.states, [
      'CLOSED',
      'SYN-SENT',
      'ESTABLISHED',
      'FIN-WAIT-1',
      'CLOSING',
      'TIME-WAIT',
    ]);
    assert.deepEqual(l.lanes[1]?.states, [
      'LISTEN',
      'SYN-RECEIVED',
      'ESTABLISHED',
      'CLOSE-WAIT',
      'LAST-ACK',
      'CLOSED',
    ]);
    const a = arrowsOf(l);
    assert.deepEqual(
      a
        .slice(0, 4)
        .map((x) => `${x.view.flags.join(',')} ${x.view.relSeq}/${x.view.relAck}/${x.view.len}`),
      ['SYN 0/0/0', 'SYN,ACK 0/1/0', 'ACK 1/1/0', 'PSH,ACK 1/1/87'],
    );
    assert.equal(a[0]?.view.mss, 1460);
    assert.equal(a[0]?.view.wscale, 10);
    assert.equal(a[0]?.view.sackPermitted, true);
    // Segmentation offload: captured segments bigger than the MTU keep their real lengths.
    assert.equal(
      a.reduce((n, x) => n + (x.from === 1 ? x.view.len : 0), 0),
      100_204,
    );
    const text = renderLadderText(l, { ascii: true });
    assert.match(text, /States are inferred from the segments/);
  });

  test('own fixture (synack handshake, raw IP) → the mission’s states, inferred from the wire', () => {
    const ct = traceFromCapture(readFileSync(OWN_CAPTURE));
    assert.equal(ct.packets, 9);
    const l = buildLadder(ct.events);
    assert.deepEqual(l.lanes[0]?.states, [
      'CLOSED',
      'SYN-SENT',
      'ESTABLISHED',
      'FIN-WAIT-1',
      'FIN-WAIT-2',
      'TIME-WAIT',
    ]);
    assert.deepEqual(l.lanes[1]?.states, [
      'LISTEN',
      'SYN-RECEIVED',
      'ESTABLISHED',
      'CLOSE-WAIT',
      'LAST-ACK',
      'CLOSED',
    ]);
    assert.deepEqual(
      arrowsOf(l).map((x) => x.view.flags.join(',')),
      ['SYN', 'SYN,ACK', 'ACK', 'PSH,ACK', 'PSH,ACK', 'FIN,ACK', 'ACK', 'FIN,ACK', 'ACK'],
    );
  });

  test('the same capture as pcapng written by tshark → the same segments and times', () => {
    const a = traceFromCapture(readFileSync(OWN_CAPTURE));
    const b = traceFromCapture(readFileSync(OWN_PCAPNG));
    assert.equal(b.format, 'pcapng');
    assert.equal(b.startEpochMs, a.startEpochMs);
    assert.deepEqual(
      arrowsOf(buildLadder(b.events)).map((x) => [x.tSend, x.view.seq, x.view.flags.join(',')]),
      arrowsOf(buildLadder(a.events)).map((x) => [x.tSend, x.view.seq, x.view.flags.join(',')]),
    );
  });

  test('--port filter keeps one connection', () => {
    const ct = traceFromCapture(readFileSync(OWN_CAPTURE), { port: 81 });
    assert.equal(ct.tcpPackets, 0);
    assert.equal(ct.skipped['other port'], 9);
  });
});
