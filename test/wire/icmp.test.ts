import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { buildIcmpPacket, buildTcpPacket, parsePacket } from '../../src/wire/ip-packet.js';
import { emitIcmp, icmpLength, parseIcmp, type IcmpMessage } from '../../src/wire/icmp.js';
import { TcpFlag, type TcpSegment } from '../../src/wire/tcp-segment.js';
import { seq } from '../../src/wire/seqnum.js';
import { parseIp } from '../../src/wire/address.js';
import { hex, toHex } from './pcap-reader.js';

const SEG: TcpSegment = {
  srcPort: 40000,
  dstPort: 443,
  seq: seq(0xdeadbeef),
  ack: seq(0),
  flags: TcpFlag.SYN,
  window: 65535,
  urgent: 0,
  options: { mss: 1460 },
  payload: new Uint8Array(0),
};

function parsedIcmp(b: Uint8Array): IcmpMessage {
  const r = parsePacket(b);
  assert.ok(r.ok, r.ok ? '' : r.detail);
  assert.ok(r.value.protocol === 'icmp');
  return r.value.icmp;
}

describe('icmp', () => {
  test('ICMPv4 echo request → exact bytes (checksum 2104) and parsed back', () => {
    const msg: IcmpMessage = {
      kind: 'echo-request',
      id: 0x1234,
      sequence: 1,
      data: hex('61626364'),
    };
    const b = new Uint8Array(icmpLength(msg));
    emitIcmp(msg, 4, b);
    assert.equal(toHex(b), '08002104123400016162' + '6364');
    const p = buildIcmpPacket('198.18.0.1', '198.18.0.2', msg);
    assert.deepEqual(parsedIcmp(p), msg);
    const reply: IcmpMessage = { ...msg, kind: 'echo-reply' };
    assert.deepEqual(parsedIcmp(buildIcmpPacket('198.18.0.2', '198.18.0.1', reply)), reply);
  });

  test('ICMPv6 echo → type 128/129, checksum over the pseudo-header', () => {
    const msg: IcmpMessage = { kind: 'echo-request', id: 7, sequence: 9, data: hex('00ff00') };
    const p = buildIcmpPacket('2001:db8::1', '2001:db8::2', msg);
    assert.equal(p[6], 58);
    assert.equal(p[40], 128);
    assert.deepEqual(parsedIcmp(p), msg);
    // Same ICMP bytes claimed from another source: the pseudo-header sum differs → rejected.
    const moved = p.slice();
    moved[23] = 3;
    const r = parsePacket(moved);
    assert.equal(r.ok ? 'ok' : r.reason, 'bad-checksum');
    assert.equal(parseIcmp(p.subarray(40), 6).ok, false, 'ICMPv6 without addresses');
  });

  test('ICMPv4 port unreachable quoting a TCP SYN → code and connection ports/seq', () => {
    const orig = buildTcpPacket('198.18.0.1', '198.18.0.2', SEG);
    // RFC 792: the internet header plus the first 64 bits of the original datagram.
    const quoted = orig.subarray(0, 28);
    const msg: IcmpMessage = { kind: 'unreachable', code: 3, quoted };
    const got = parsedIcmp(buildIcmpPacket('198.18.0.2', '198.18.0.1', msg));
    assert.deepEqual(got, {
      kind: 'unreachable',
      code: 3,
      quoted: quoted.slice(),
      quote: {
        version: 4,
        src: '198.18.0.1',
        dst: '198.18.0.2',
        protocol: 6,
        tcp: { srcPort: 40000, dstPort: 443, seq: seq(0xdeadbeef) },
      },
    });
  });

  test('ICMPv4 fragmentation needed (RFC 1191) → packet-too-big with next-hop MTU', () => {
    const orig = buildTcpPacket('198.18.0.1', '198.18.0.2', SEG);
    const msg: IcmpMessage = { kind: 'packet-too-big', mtu: 1400, quoted: orig.subarray(0, 28) };
    const p = buildIcmpPacket('198.18.0.3', '198.18.0.1', msg);
    assert.equal(toHex(p.subarray(20, 22)), '0304');
    assert.equal(toHex(p.subarray(24, 28)), '00000578');
    const got = parsedIcmp(p);
    assert.ok(got.kind === 'packet-too-big');
    assert.equal(got.mtu, 1400);
    assert.deepEqual(got.quote?.tcp, { srcPort: 40000, dstPort: 443, seq: seq(0xdeadbeef) });
  });

  test('ICMPv6 packet too big → 32-bit MTU and quoted TCP ports/seq', () => {
    const orig = buildTcpPacket('2001:db8::1', '2001:db8::2', SEG);
    const msg: IcmpMessage = { kind: 'packet-too-big', mtu: 1280, quoted: orig.subarray(0, 48) };
    const p = buildIcmpPacket('2001:db8::ff', '2001:db8::1', msg);
    assert.equal(toHex(p.subarray(40, 42)), '0200');
    assert.equal(toHex(p.subarray(44, 48)), '00000500');
    const got = parsedIcmp(p);
    assert.ok(got.kind === 'packet-too-big');
    assert.equal(got.mtu, 1280);
    assert.deepEqual(got.quote, {
      version: 6,
      src: '2001:db8::1',
      dst: '2001:db8::2',
      protocol: 6,
      tcp: { srcPort: 40000, dstPort: 443, seq: seq(0xdeadbeef) },
    });
  });

  test('ICMPv6 unreachable and time exceeded → their codes; short quote → no tcp part', () => {
    const orig = buildTcpPacket('2001:db8::1', '2001:db8::2', SEG);
    const u = parsedIcmp(
      buildIcmpPacket('2001:db8::2', '2001:db8::1', { kind: 'unreachable', code: 4, quoted: orig }),
    );
    assert.ok(u.kind === 'unreachable' && u.code === 4 && u.quote?.tcp?.dstPort === 443);
    const t = parsedIcmp(
      buildIcmpPacket('2001:db8::9', '2001:db8::1', {
        kind: 'time-exceeded',
        code: 0,
        quoted: orig.subarray(0, 44),
      }),
    );
    assert.ok(t.kind === 'time-exceeded');
    assert.deepEqual(t.quote, { version: 6, src: '2001:db8::1', dst: '2001:db8::2', protocol: 6 });
  });

  test('malformed ICMP → truncated / bad-checksum; unknown types kept as other', () => {
    assert.equal((parseIcmp(hex('0800f7'), 4) as { reason: string }).reason, 'truncated');
    assert.equal(
      (parseIcmp(hex('0800000000000000'), 4) as { reason: string }).reason,
      'bad-checksum',
    );
    const other: IcmpMessage = { kind: 'other', type: 13, code: 0, rest: hex('00010002aabbccdd') };
    assert.deepEqual(parsedIcmp(buildIcmpPacket('10.0.0.1', '10.0.0.2', other)), other);
    const garbageQuote: IcmpMessage = { kind: 'unreachable', code: 1, quoted: hex('ffff') };
    assert.deepEqual(parsedIcmp(buildIcmpPacket('10.0.0.1', '10.0.0.2', garbageQuote)), {
      kind: 'unreachable',
      code: 1,
      quoted: hex('ffff'),
    });
  });

  test('random bytes → parseIcmp never throws', { timeout: 30_000 }, () => {
    const s = parseIp('2001:db8::1') as Uint8Array;
    const d = parseIp('2001:db8::2') as Uint8Array;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.boolean(), (b, six) => {
        // Make the checksum right half the time, so the body parsers see garbage too.
        const r = six ? parseIcmp(b, 6, s, d) : parseIcmp(b, 4);
        assert.ok(r.ok || r.reason.length > 0);
        if (b.length >= 8) {
          const m: IcmpMessage = {
            kind: 'other',
            type: b[0] as number,
            code: b[1] as number,
            rest: b.subarray(4),
          };
          const p = new Uint8Array(icmpLength(m));
          emitIcmp(m, six ? 6 : 4, p, 0, s, d);
          const q = six ? parseIcmp(p, 6, s, d) : parseIcmp(p, 4);
          assert.ok(q.ok);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
