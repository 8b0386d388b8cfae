import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  addressBytes,
  buildIcmpPacket,
  buildTcpPacket,
  parsePacket,
} from '../../src/wire/ip-packet.js';
import { emitIpv4Header, parseIpv4 } from '../../src/wire/ipv4.js';
import { parseIpv6 } from '../../src/wire/ipv6.js';
import { internetChecksum, pseudoHeaderSumV4 } from '../../src/wire/checksum.js';
import { WireError } from '../../src/wire/parse-error.js';
import { TcpFlag, type TcpSegment } from '../../src/wire/tcp-segment.js';
import { seq } from '../../src/wire/seqnum.js';
import { arbAddrPair, arbSegment } from './arbitraries.js';
import { hex, toHex } from './pcap-reader.js';

const SEG: TcpSegment = {
  srcPort: 40000,
  dstPort: 80,
  seq: seq(1000),
  ack: seq(2000),
  flags: TcpFlag.ACK | TcpFlag.PSH,
  window: 512,
  urgent: 0,
  options: {},
  payload: new TextEncoder().encode('hello'),
};

function v4(): Uint8Array {
  return buildTcpPacket('198.18.0.1', '198.18.0.2', SEG, { id: 7 });
}
function v6(): Uint8Array {
  return buildTcpPacket('2001:db8::1', '2001:db8::2', SEG);
}
/** Recomputes the IPv4 header checksum after a test edits the header. */
function refixIpv4(b: Uint8Array): Uint8Array {
  const ihl = ((b[0] as number) & 0x0f) * 4;
  b[10] = 0;
  b[11] = 0;
  const c = internetChecksum(b.subarray(0, Math.min(ihl, b.length)));
  b[10] = c >>> 8;
  b[11] = c & 0xff;
  return b;
}
function edit(b: Uint8Array, at: number, v: number): Uint8Array {
  const c = b.slice();
  c[at] = v;
  return c;
}
function reasonOf(b: Uint8Array): string {
  const r = parsePacket(b);
  return r.ok ? 'ok' : r.reason;
}

describe('ip packet', () => {
  test('IPv4 TCP packet built → exact header bytes and both checksums', () => {
    const b = v4();
    // 45 00 | total 45 | id 7 | DF, offset 0 | ttl 64 | proto 6 | checksum | src | dst
    assert.equal(toHex(b.subarray(0, 10)), '4500002d000740004006');
    assert.equal(toHex(b.subarray(12, 20)), 'c6120001c6120002');
    assert.equal(internetChecksum(b.subarray(0, 20)), 0);
    const tcp = b.subarray(20);
    // ports 40000→80, seq 1000, ack 2000, offset 5, PSH|ACK, window 512, [checksum], urgent 0, "hello"
    assert.equal(toHex(tcp.subarray(0, 16)), '9c400050000003e8000007d050180200');
    assert.equal(toHex(tcp.subarray(18)), '000068656c6c6f');
    const ph = pseudoHeaderSumV4(hex('c6120001'), hex('c6120002'), 6, 25);
    assert.equal(internetChecksum(tcp, ph), 0);
    const r = parsePacket(b);
    assert.ok(r.ok);
    assert.deepEqual(r.value, {
      version: 4,
      src: '198.18.0.1',
      dst: '198.18.0.2',
      ttl: 64,
      protocol: 'tcp',
      segment: SEG,
    });
  });

  test('IPv6 TCP packet built → exact fixed header and verifying checksum', () => {
    const b = v6();
    assert.equal(
      toHex(b.subarray(0, 40)),
      '60000000' +
        '0019' +
        '06' +
        '40' +
        '20010db8000000000000000000000001' +
        '20010db8000000000000000000000002',
    );
    const r = parsePacket(b);
    assert.ok(r.ok, r.ok ? '' : r.detail);
    assert.equal(r.value.version, 6);
    assert.equal(r.value.src, '2001:db8::1');
    assert.equal(r.value.ttl, 64);
    assert.ok(r.value.protocol === 'tcp');
    assert.deepEqual(r.value.segment, SEG);
  });

  test('small packets share a slab → each its own 8-aligned bytes; big ones their own buffer', () => {
    const a = v4();
    const b = v4();
    const c = v6();
    for (const p of [a, b, c]) assert.equal(p.byteOffset % 8, 0);
    if (a.buffer === b.buffer) {
      assert.ok(b.byteOffset >= a.byteOffset + a.length, 'no overlap');
    }
    const aBytes = a.slice();
    b.fill(0xee); // whoever holds a packet may do what it likes with its bytes
    c.fill(0xee);
    assert.deepEqual(a, aBytes);
    assert.ok(parsePacket(a).ok);
    const big = buildTcpPacket('198.18.0.1', '198.18.0.2', {
      ...SEG,
      payload: new Uint8Array(9000),
    });
    assert.equal(big.byteOffset, 0);
    assert.equal(big.buffer.byteLength, big.length);
    assert.ok(parsePacket(big).ok);
  });

  test('malformed IPv4 → each its reason', () => {
    const good = v4();
    const cases: [string, Uint8Array, string][] = [
      ['empty', new Uint8Array(0), 'truncated'],
      ['short buffer', good.subarray(0, 19), 'truncated'],
      ['version 5', refixIpv4(edit(good, 0, 0x55)), 'bad-version'],
      ['IHL 4', refixIpv4(edit(good, 0, 0x44)), 'bad-header-length'],
      ['IHL 15 beyond buffer', refixIpv4(edit(good, 0, 0x4f)), 'truncated'],
      ['total length > buffer', refixIpv4(edit(good, 3, 46)), 'truncated'],
      ['total length < header', refixIpv4(edit(good, 3, 19)), 'bad-total-length'],
      ['header checksum', edit(good, 10, (good[10] as number) ^ 1), 'bad-checksum'],
      ['TCP checksum', edit(good, 44, (good[44] as number) ^ 0x80), 'bad-checksum'],
      ['more fragments', refixIpv4(edit(good, 6, 0x20)), 'fragment'],
      ['fragment offset', refixIpv4(edit(good, 7, 0x01)), 'fragment'],
      ['TCP data offset 4', refixIpv4(edit(good, 32, 0x40)), 'bad-data-offset'],
      ['TCP data offset beyond', edit(good, 32, 0x70), 'bad-data-offset'],
      ['TCP truncated', refixIpv4(edit(good.subarray(0, 30), 3, 30)), 'truncated'],
    ];
    for (const [name, bytes, reason] of cases) assert.equal(reasonOf(bytes), reason, name);
  });

  test('IPv4 buffer longer than total length → trailing padding ignored', () => {
    const good = v4();
    const padded = new Uint8Array(60);
    padded.set(good);
    const r = parsePacket(padded);
    assert.ok(r.ok && r.value.protocol === 'tcp');
    assert.deepEqual(r.value.segment, SEG);
  });

  test('IPv4 with 4 bytes of IP options (IHL 6) → options kept raw, TCP found after them', () => {
    const good = v4();
    const b = new Uint8Array(good.length + 4);
    b.set(good.subarray(0, 20));
    b.set(hex('01010100'), 20); // NOP NOP NOP EOL
    b.set(good.subarray(20), 24);
    b[0] = 0x46;
    b[3] = (b[3] as number) + 4;
    refixIpv4(b);
    const ip = parseIpv4(b);
    assert.ok(ip.ok);
    assert.equal(toHex(ip.value.header.options), '01010100');
    const r = parsePacket(b);
    assert.ok(r.ok && r.value.protocol === 'tcp', r.ok ? '' : r.detail);
    assert.deepEqual(r.value.segment, SEG);
  });

  test('malformed IPv6 → each its reason', () => {
    const good = v6();
    const withExt = (nh: number, ext: string): Uint8Array => {
      const e = hex(ext);
      const b = new Uint8Array(good.length + e.length);
      b.set(good.subarray(0, 40));
      b.set(e, 40);
      b.set(good.subarray(40), 40 + e.length);
      b[6] = nh;
      b[5] = (b[5] as number) + e.length;
      return b;
    };
    const cases: [string, Uint8Array, string][] = [
      ['short buffer', good.subarray(0, 39), 'truncated'],
      ['payload length > buffer', edit(good, 5, 0x1a), 'truncated'],
      ['TCP checksum', edit(good, good.length - 1, 0), 'bad-checksum'],
      ['fragment header', withExt(44, '06000001 12345678'), 'fragment'],
      ['fragment after hop-by-hop', withExt(0, '2c000000 00000000 06000001 12345678'), 'fragment'],
      ['extension past packet', withExt(60, '0606000000000000'), 'bad-header-length'],
    ];
    for (const [name, bytes, reason] of cases) assert.equal(reasonOf(bytes), reason, name);
    // Hop-by-hop + destination options (PadN) are skipped to reach TCP.
    const ok = withExt(0, '3c000104 00000000' + '06000104 00000000');
    const r = parsePacket(ok);
    assert.ok(r.ok && r.value.protocol === 'tcp', r.ok ? '' : r.detail);
    assert.deepEqual(r.value.segment, SEG);
    // Routing header (type 0 layout is irrelevant: skipped by its length).
    const rt = parseIpv6(withExt(43, '06000000 00000000'));
    assert.ok(rt.ok && rt.value.protocol === 6);
  });

  test('other protocols → protocol other with the number', () => {
    const b = new Uint8Array(28);
    emitIpv4Header(
      { src: hex('c6120001'), dst: hex('c6120002'), protocol: 17, payloadLength: 8 },
      b,
    );
    const r = parsePacket(b);
    assert.ok(r.ok);
    assert.equal(r.value.protocol, 'other');
    assert.ok(r.value.protocol === 'other' && r.value.number === 17);
  });

  test('bad addresses → WireError bad-address', () => {
    assert.throws(() => buildTcpPacket('nope', '1.2.3.4', SEG), WireError);
    assert.throws(
      () => buildTcpPacket('1.2.3.4', '::1', SEG),
      (e: unknown) => e instanceof WireError && e.reason === 'bad-address',
    );
    assert.throws(
      () =>
        buildIcmpPacket('1.2.3.4', '1.2.3', {
          kind: 'echo-request',
          id: 1,
          sequence: 1,
          data: new Uint8Array(0),
        }),
      WireError,
    );
    assert.equal(addressBytes('x'), undefined);
    assert.equal(addressBytes('198.18.0.1'), addressBytes('198.18.0.1'), 'cached: same array');
  });

  test(
    'random segments, IPv4 and IPv6 → parsePacket(buildTcpPacket(x)) == x',
    { timeout: 30_000 },
    () => {
      fc.assert(
        fc.property(
          arbAddrPair,
          arbSegment,
          fc.nat({ max: 255 }),
          fc.nat({ max: 0xffff }),
          ([src, dst], s, ttl, id) => {
            const b = buildTcpPacket(src, dst, s, { ttl, id });
            const r = parsePacket(b);
            assert.ok(r.ok, r.ok ? '' : r.detail);
            assert.deepEqual(r.value, {
              version: src.includes(':') ? 6 : 4,
              src,
              dst,
              ttl,
              protocol: 'tcp',
              segment: s,
            });
            if (!src.includes(':')) {
              const ip = parseIpv4(b);
              assert.ok(ip.ok && ip.value.header.id === id && ip.value.header.dontFragment);
            }
          },
        ),
        { numRuns: 500 },
      );
    },
  );

  test(
    'random garbage and corrupted packets → never throws, always a result',
    { timeout: 30_000 },
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
          const r = parsePacket(b);
          assert.ok(r.ok || r.reason.length > 0);
        }),
        { numRuns: 3000 },
      );
      fc.assert(
        fc.property(
          arbAddrPair,
          arbSegment,
          fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 6 }),
          fc.nat(),
          ([src, dst], s, edits, cut) => {
            const b = buildTcpPacket(src, dst, s);
            for (const [at, v] of edits) b[at % b.length] = v;
            const r = parsePacket(b.subarray(0, cut % (b.length + 1)));
            assert.ok(r.ok || r.reason.length > 0);
          },
        ),
        { numRuns: 1000 },
      );
    },
  );

  test('one flipped bit anywhere in the TCP part → rejected', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(arbAddrPair, arbSegment, fc.nat(), ([src, dst], s, bit) => {
        const b = buildTcpPacket(src, dst, s);
        const ipLen = src.includes(':') ? 40 : 20;
        const k = bit % ((b.length - ipLen) * 8);
        const at = ipLen + (k >>> 3);
        b[at] = (b[at] as number) ^ (1 << (k & 7));
        assert.equal(parsePacket(b).ok, false);
      }),
      { numRuns: 500 },
    );
  });
});
