import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { emitTcp, parseTcp, tcpHeaderLength } from '../../src/wire/tcp-header.js';
import { emitTcpOptions, parseTcpOptions } from '../../src/wire/tcp-options.js';
import { TcpFlag, type TcpSegment } from '../../src/wire/tcp-segment.js';
import { seq } from '../../src/wire/seqnum.js';
import { arbOptions, arbSegment } from './arbitraries.js';
import { hex, toHex } from './pcap-reader.js';

const SYN: TcpSegment = {
  srcPort: 12345,
  dstPort: 80,
  seq: seq(0x01020304),
  ack: seq(0),
  flags: TcpFlag.SYN,
  window: 65535,
  urgent: 0,
  options: { mss: 1460, sackPermitted: true, timestamps: { tsVal: 1, tsEcr: 0 }, windowScale: 7 },
  payload: new Uint8Array(0),
};

// Written by hand from RFC 9293 §3.1 Figure 1 and the option layouts (RFC 9293 §3.2, RFC 7323,
// RFC 2018), in Linux's order: MSS; SACK-permitted + timestamps; NOP + window scale.
const SYN_BYTES = hex(`
  3039 0050  01020304  00000000  a0 02 ffff  0000 0000
  0204 05b4
  0402 080a 00000001 00000000
  01 03 03 07
`);

function withOptionBytes(opt: string): Uint8Array {
  const o = hex(opt);
  const b = new Uint8Array(20 + o.length);
  b.set(emitTcp({ ...SYN, options: {} }));
  b[12] = ((20 + o.length) / 4) << 4;
  b.set(o, 20);
  return b;
}

describe('tcp header', () => {
  test('SYN with MSS/SACK-perm/TS/WS emitted → exact hand-written bytes', () => {
    assert.equal(tcpHeaderLength(SYN.options), 40);
    assert.equal(toHex(emitTcp(SYN)), toHex(SYN_BYTES));
    const r = parseTcp(SYN_BYTES);
    assert.ok(r.ok);
    assert.deepEqual(r.value, SYN);
  });

  test('options without timestamps → NOP NOP SACK-perm after window scale; SACK blocks NOP NOP-aligned', () => {
    const b = new Uint8Array(40);
    const n = emitTcpOptions(
      { mss: 536, windowScale: 0, sackPermitted: true, sack: [{ left: seq(1), right: seq(2) }] },
      b,
      0,
    );
    assert.equal(n, 4 + 4 + 4 + 12);
    assert.equal(
      toHex(b.subarray(0, n)),
      '02040218' + '01030300' + '01010402' + '0101050a0000000100000002',
    );
  });

  test('emit into a buffer at an offset → same bytes, surrounding bytes untouched', () => {
    const into = new Uint8Array(60).fill(0xee);
    const out = emitTcp({ ...SYN, payload: Uint8Array.of(1, 2, 3) }, into, 10);
    assert.equal(out.length, 43);
    assert.equal(toHex(into.subarray(10, 50)), toHex(SYN_BYTES));
    assert.equal(toHex(into.subarray(50, 53)), '010203');
    assert.equal(into[9], 0xee);
    assert.equal(into[53], 0xee);
  });

  test('too many options → RangeError from emit, not a bad packet', () => {
    const sack = Array.from({ length: 4 }, (_, i) => ({ left: seq(i), right: seq(i + 1) }));
    assert.throws(() => emitTcp({ ...SYN, options: { ...SYN.options, sack } }), RangeError);
  });

  test('malformed headers → their reasons', () => {
    const cases: [string, Uint8Array, string][] = [
      ['empty', new Uint8Array(0), 'truncated'],
      ['19 bytes', SYN_BYTES.subarray(0, 19), 'truncated'],
      [
        'data offset 4',
        (() => {
          const b = SYN_BYTES.slice();
          b[12] = 0x40;
          return b;
        })(),
        'bad-data-offset',
      ],
      [
        'data offset 0',
        (() => {
          const b = SYN_BYTES.slice();
          b[12] = 0x00;
          return b;
        })(),
        'bad-data-offset',
      ],
      ['data offset beyond buffer', SYN_BYTES.subarray(0, 36), 'bad-data-offset'],
      [
        'data offset 15, 40 bytes',
        (() => {
          const b = SYN_BYTES.slice();
          b[12] = 0xf0;
          return b;
        })(),
        'bad-data-offset',
      ],
      ['option length 0', withOptionBytes('0200 0000'), 'bad-option'],
      ['option length 1', withOptionBytes('0201 0000'), 'bad-option'],
      ['unknown option length 0', withOptionBytes('1e00 0000'), 'bad-option'],
      ['option past header', withOptionBytes('0101 1e08'), 'bad-option'],
      ['kind with no length byte', withOptionBytes('0101 0102'), 'bad-option'],
      ['MSS length 3', withOptionBytes('0203 0001'), 'bad-option'],
      ['timestamps length 6', withOptionBytes('0806 00000000 0000'), 'bad-option'],
      ['SACK length 6', withOptionBytes('0101 0506 00000000'), 'bad-option'],
    ];
    for (const [name, bytes, reason] of cases) {
      const r = parseTcp(bytes);
      assert.equal(r.ok, false, name);
      assert.equal(r.ok ? '' : r.reason, reason, name);
      assert.ok(r.ok || r.detail.length > 0);
    }
  });

  test('EOL → the rest is padding; unknown kinds kept raw; NOPs skipped', () => {
    // NOP; kind 30 length 4 (data abcd); EOL; then an MSS option that must be ignored as padding.
    const r = parseTcp(withOptionBytes('01 1e04abcd 00 020405b4 0000'));
    assert.ok(r.ok);
    assert.deepEqual(r.value.options, { unknown: [{ kind: 30, data: hex('abcd') }] });
  });

  test('random segments → parse(emit(x)) == x', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(arbSegment, (s) => {
        const b = emitTcp(s);
        assert.equal(b.length, tcpHeaderLength(s.options) + s.payload.length);
        const r = parseTcp(b);
        assert.ok(r.ok, r.ok ? '' : r.detail);
        assert.deepEqual(r.value, s);
      }),
      { numRuns: 1000 },
    );
  });

  test(
    'random options → emitted length is a multiple of 4 and parses back',
    { timeout: 30_000 },
    () => {
      fc.assert(
        fc.property(arbOptions, (o) => {
          const b = new Uint8Array(40);
          const n = emitTcpOptions(o, b, 0);
          assert.equal(n % 4, 0);
          const r = parseTcpOptions(b, 0, n);
          assert.ok(r.ok);
          assert.deepEqual(r.value, o);
        }),
        { numRuns: 1000 },
      );
    },
  );

  test('random garbage → parseTcp never throws', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        const r = parseTcp(b);
        assert.ok(r.ok || typeof r.reason === 'string');
      }),
      { numRuns: 3000 },
    );
  });
});
