import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  checksumFinish,
  checksumPartial,
  foldSum,
  internetChecksum,
  pseudoHeaderSumV4,
  pseudoHeaderSumV6,
} from '../../src/wire/checksum.js';
import { parseIp } from '../../src/wire/address.js';

/** The textbook RFC 1071 algorithm, one word and one fold at a time: the oracle. */
function reference(data: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i < data.length; i += 2) {
    const w = ((data[i] as number) << 8) | (i + 1 < data.length ? (data[i + 1] as number) : 0);
    sum += w;
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  return ~sum & 0xffff;
}

const bytes = fc.uint8Array({ minLength: 0, maxLength: 3000 });

describe('checksum', () => {
  test('RFC 1071 §3 example → sum ddf2, checksum 220d', () => {
    const data = Uint8Array.of(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
    assert.equal(checksumPartial(data), 0xddf2);
    assert.equal(internetChecksum(data), 0x220d);
  });

  test('known IPv4 header (Linux SYN from the capture) → checksum cd65', () => {
    const h = Uint8Array.from([
      0x45, 0, 0, 0x3c, 0xe1, 0x2e, 0x40, 0, 0x40, 6, 0, 0, 198, 18, 0, 1, 198, 18, 0, 2,
    ]);
    assert.equal(internetChecksum(h), 0xcd65);
  });

  test('random data → fast sum equals the reference', { timeout: 20_000 }, () => {
    fc.assert(
      fc.property(bytes, fc.nat({ max: 0xffff }), (d, init) => {
        assert.equal(internetChecksum(d, init), reference(d, init));
      }),
      { numRuns: 500 },
    );
  });

  test(
    'random data at any byte offset of its buffer, any [start, end) → the reference sum',
    { timeout: 20_000 },
    () => {
      // The word loop starts at the first 4-byte boundary of the underlying buffer: every
      // alignment of the data and of `start`, odd and even lengths, around the 128-byte switch.
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 0, maxLength: 700 }),
          fc.nat({ max: 7 }),
          fc.nat(),
          fc.nat(),
          fc.nat({ max: 0xffff }),
          (d0, shift, a, b, init) => {
            const backing = new Uint8Array(d0.length + shift);
            backing.set(d0, shift);
            const d = backing.subarray(shift);
            const start = (a % (d.length + 1)) & ~1;
            const end = start + (b % (d.length - start + 1));
            const got = checksumFinish(checksumPartial(d, init, start, end));
            assert.equal(got, reference(d0.subarray(start, end), init));
          },
        ),
        { numRuns: 1000 },
      );
    },
  );

  test('many pieces of one buffer, one after another → each the reference sum', () => {
    // Pieces of one buffer share the checksum's word view: every offset must still be right.
    const buf = Uint8Array.from({ length: 4096 }, (_, i) => (i * 151 + 7) & 0xff);
    for (let start = 0; start < 600; start += 13) {
      for (const len of [128, 129, 500, 1461]) {
        const piece = buf.subarray(start, start + len);
        assert.equal(internetChecksum(piece), reference(piece));
      }
    }
  });

  test('8 MiB + 3 bytes of 0xff (several word passes, sums far above 2^32) → the reference', () => {
    const d = new Uint8Array(8 * 1024 * 1024 + 3).fill(0xff);
    d[12345] = 0x12;
    assert.equal(internetChecksum(d), reference(d));
    assert.equal(internetChecksum(d.subarray(1), 7), reference(d.subarray(1), 7));
  });

  test('random split at an even offset → incremental equals one-shot', { timeout: 20_000 }, () => {
    fc.assert(
      fc.property(bytes, fc.nat(), (d, k) => {
        const cut = (k % (d.length + 1)) & ~1;
        const a = checksumPartial(d.subarray(0, cut));
        const both = checksumPartial(d.subarray(cut), a);
        assert.equal(checksumFinish(both), internetChecksum(d));
        // Partial sums of pieces also add in any order (one's complement addition commutes).
        const b = checksumPartial(d.subarray(cut));
        assert.equal(checksumFinish(a + b), internetChecksum(d));
        assert.equal(checksumPartial(d, 0, 0, cut), a);
      }),
      { numRuns: 500 },
    );
  });

  test(
    'random data with its checksum appended → verifies to 0; one flipped bit → detected',
    { timeout: 20_000 },
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 0, maxLength: 1500 }), fc.nat(), (d0, bit) => {
          // Even length so the appended checksum is word-aligned, as in every real header.
          const d = d0.length % 2 === 0 ? d0 : d0.subarray(0, d0.length - 1);
          const pkt = new Uint8Array(d.length + 2);
          pkt.set(d);
          const c = internetChecksum(d);
          pkt[d.length] = c >>> 8;
          pkt[d.length + 1] = c & 0xff;
          assert.equal(internetChecksum(pkt), 0);
          const b = bit % (pkt.length * 8);
          pkt[b >>> 3] = (pkt[b >>> 3] as number) ^ (1 << (b & 7));
          assert.notEqual(internetChecksum(pkt), 0);
        }),
        { numRuns: 500 },
      );
    },
  );

  test("huge unfolded sums → foldSum gives the 16-bit one's complement sum", () => {
    assert.equal(foldSum(0), 0);
    assert.equal(foldSum(0xffff), 0xffff);
    assert.equal(foldSum(0x10000), 1);
    assert.equal(foldSum(0x1fffe), 0xffff);
    assert.equal(foldSum(2 ** 40 - 1), 0xff); // 0xff + 0xffff + 0xffff, folded
    assert.equal(foldSum(2 ** 48 - 1), 0xffff);
    assert.equal(checksumFinish(0xffff), 0);
  });

  test('any sum up to 2^53 → foldSum equals folding by division (16 bits, same as the loop)', () => {
    // The oracle: end-around carries by division, one 16-bit step at a time (RFC 1071 §1).
    const byDivision = (sum: number): number => {
      let s = sum;
      while (s > 0xffff) s = (s % 0x10000) + Math.floor(s / 0x10000);
      return s;
    };
    for (const s of [0xffffffff, 0x100000000, 0xfffeffff, 0x1ffff, 0x10001, 1, 0xfffe]) {
      assert.equal(foldSum(s), byDivision(s), `sum ${s}`);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (s) => foldSum(s) === byDivision(s)),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.maxSafeNat(), (s) => foldSum(s) === byDivision(s)),
      { numRuns: 500 },
    );
  });

  test('pseudo-headers → RFC 9293 §3.1 and RFC 8200 §8.1 layouts', () => {
    const s4 = parseIp('198.18.0.1') as Uint8Array;
    const d4 = parseIp('198.18.0.2') as Uint8Array;
    const ph4 = Uint8Array.from([198, 18, 0, 1, 198, 18, 0, 2, 0, 6, 0, 40]);
    assert.equal(pseudoHeaderSumV4(s4, d4, 6, 40), checksumPartial(ph4));
    const s6 = parseIp('2001:db8::1') as Uint8Array;
    const d6 = parseIp('2001:db8::2') as Uint8Array;
    const ph6 = new Uint8Array(40);
    ph6.set(s6, 0);
    ph6.set(d6, 16);
    ph6.set([0x00, 0x01, 0x00, 0x10], 32); // length 65552 as 32 bits, over 16 on purpose
    ph6[39] = 6;
    assert.equal(pseudoHeaderSumV6(s6, d6, 6, 65552), checksumPartial(ph6));
  });
});
