import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatEndpoint, formatIp, ipVersion, parseIp } from '../../src/wire/address.js';

describe('address', () => {
  test('IPv4 text → 4 bytes; bad dotted quads → undefined', () => {
    assert.deepEqual(parseIp('198.18.0.1'), Uint8Array.of(198, 18, 0, 1));
    assert.deepEqual(parseIp('0.0.0.0'), new Uint8Array(4));
    assert.deepEqual(parseIp('255.255.255.255'), Uint8Array.of(255, 255, 255, 255));
    for (const bad of [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '01.2.3.4',
      '1..2.3',
      ' 1.2.3.4',
      'a.b.c.d',
      '1.2.3.4/8',
      '1.2.3.-4',
    ]) {
      assert.equal(parseIp(bad), undefined, JSON.stringify(bad));
      assert.equal(ipVersion(bad), undefined);
    }
    assert.equal(ipVersion('10.0.0.1'), 4);
  });

  test('IPv6 text (RFC 4291 §2.2 forms) → 16 bytes', () => {
    const full = Uint8Array.of(0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);
    assert.deepEqual(parseIp('2001:db8::1'), full);
    assert.deepEqual(parseIp('2001:0DB8:0000:0000:0000:0000:0000:0001'), full);
    assert.deepEqual(parseIp('::'), new Uint8Array(16));
    assert.deepEqual(parseIp('::1'), Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1));
    assert.deepEqual(parseIp('1::'), Uint8Array.of(0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
    assert.deepEqual(
      parseIp('::ffff:198.18.0.1'),
      Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 198, 18, 0, 1),
    );
    assert.deepEqual(
      parseIp('64:ff9b::192.0.2.33'),
      Uint8Array.of(0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 33),
    );
    assert.equal(ipVersion('2001:db8::1'), 6);
    for (const bad of [
      ':',
      ':::',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      '12345::',
      'g::1',
      '::1.2.3',
      '1.2.3.4::',
      '::1:',
      ':1::',
      '1:2:3:4:5:6:7:8::',
      '[::1]',
    ]) {
      assert.equal(parseIp(bad), undefined, JSON.stringify(bad));
    }
  });

  test('IPv6 bytes → RFC 5952 canonical text', () => {
    const f = (s: string): string => formatIp(parseIp(s) as Uint8Array);
    assert.equal(f('2001:0db8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(f('2001:db8:0:0:1:0:0:1'), '2001:db8::1:0:0:1'); // §4.2.3: first of equal runs
    assert.equal(f('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1'); // §4.2.2: one 0 is not ::
    assert.equal(f('2001:0:0:1:0:0:0:1'), '2001:0:0:1::1'); // §4.2.3: longest run
    assert.equal(f('0:0:0:0:0:0:0:0'), '::');
    assert.equal(f('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(f('1:0:0:0:0:0:0:0'), '1::');
    assert.equal(f('2001:DB8::ABCD'), '2001:db8::abcd'); // §4.3 lower case
    assert.equal(f('::ffff:c612:1'), '::ffff:198.18.0.1'); // §5 mapped
    assert.equal(formatIp(Uint8Array.of(1, 2, 3)), 'invalid(3 bytes)');
  });

  test('random 4/16 bytes → format then parse gives the bytes back', { timeout: 20_000 }, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 4, maxLength: 4 }),
          fc.uint8Array({ minLength: 16, maxLength: 16 }),
          // Mostly-zero IPv6 to exercise the `::` choice.
          fc
            .array(fc.constantFrom(0, 0, 0, 1, 0xff), { minLength: 16, maxLength: 16 })
            .map((a) => Uint8Array.from(a)),
        ),
        (b) => {
          const s = formatIp(b);
          assert.deepEqual(parseIp(s), b, s);
          assert.equal(formatIp(parseIp(s) as Uint8Array), s);
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('random strings → parseIp never throws', { timeout: 20_000 }, () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.x ') }), (s) => {
        const b = parseIp(s);
        assert.ok(b === undefined || b.length === 4 || b.length === 16);
      }),
      { numRuns: 2000 },
    );
  });

  test('endpoints → 1.2.3.4:80 and [2001:db8::1]:80', () => {
    assert.equal(formatEndpoint('1.2.3.4', 80), '1.2.3.4:80');
    assert.equal(formatEndpoint('2001:db8::1', 80), '[2001:db8::1]:80');
  });
});
