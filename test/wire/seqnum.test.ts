import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  seq,
  seqAdd,
  seqBetween,
  seqDiff,
  seqGe,
  seqGt,
  seqInWindow,
  seqLe,
  seqLt,
  seqMax,
  seqMin,
  seqFromSlot,
  seqToSlot,
} from '../../src/wire/seqnum.js';

const u32 = fc.nat({ max: 0xffffffff });
// Distances that keep two numbers comparable (RFC 9293 §3.4: within 2^31 of each other).
const dist = fc.integer({ min: -0x7fffffff, max: 0x7fffffff });

describe('seqnum', () => {
  test('wraparound examples → compare modulo 2^32', () => {
    assert.equal(seqLt(seq(0xfffffff0), seq(5)), true);
    assert.equal(seqGt(seq(5), seq(0xfffffff0)), true);
    assert.equal(seqDiff(seq(5), seq(0xfffffff0)), 21);
    assert.equal(seqAdd(seq(0xffffffff), 1), 0);
    assert.equal(seqAdd(seq(0), -1), 0xffffffff);
    assert.equal(seq(-1), 0xffffffff);
    assert.equal(seq(2 ** 32 + 7), 7);
    assert.equal(seqMax(seq(0xfffffff0), seq(5)), 5);
    assert.equal(seqMin(seq(0xfffffff0), seq(5)), 0xfffffff0);
    assert.equal(seqInWindow(seq(2), seq(0xfffffffe), 8), true);
    assert.equal(seqInWindow(seq(6), seq(0xfffffffe), 8), false);
    assert.equal(seqInWindow(seq(0), seq(0), 0), false);
    assert.equal(seqBetween(seq(0xfffffffe), seq(0), seq(1)), true);
    assert.equal(seqBetween(seq(0xfffffffe), seq(2), seq(1)), false);
  });

  test(
    'random a, d → add then diff gives d back; order agrees with the sign',
    { timeout: 20_000 },
    () => {
      fc.assert(
        fc.property(u32, dist, (a, d) => {
          const x = seq(a);
          const y = seqAdd(x, d);
          assert.ok(y >= 0 && y <= 0xffffffff && Number.isInteger(y));
          assert.equal(seqDiff(y, x), d);
          assert.equal(seqDiff(x, y), 0 - d || 0);
          assert.equal(seqLt(x, y), d > 0);
          assert.equal(seqGt(x, y), d < 0);
          assert.equal(seqLe(x, y), d >= 0);
          assert.equal(seqGe(x, y), d <= 0);
          assert.equal(seqMax(x, y), d >= 0 ? y : x);
          assert.equal(seqMin(x, y), d >= 0 ? x : y);
        }),
        { numRuns: 2000 },
      );
    },
  );

  test('random window → inWindow and between agree with offsets', { timeout: 20_000 }, () => {
    fc.assert(
      fc.property(u32, fc.nat({ max: 0x7fffffff }), fc.nat({ max: 0xffffffff }), (s, len, off) => {
        const start = seq(s);
        const x = seqAdd(start, off);
        assert.equal(seqInWindow(x, start, len), off < len);
        if (len > 0) assert.equal(seqBetween(start, x, seqAdd(start, len - 1)), off < len);
      }),
      { numRuns: 2000 },
    );
  });

  test('a SeqSlot is the same 32 bits as a signed integer, and gives the SeqNum back', () => {
    assert.equal(seqToSlot(seq(0x7fffffff)), 0x7fffffff);
    assert.equal(seqToSlot(seq(0x80000000)), -0x80000000);
    assert.equal(seqToSlot(seq(0xffffffff)), -1);
    assert.equal(seqFromSlot(seqToSlot(seq(0xffffffff))), 0xffffffff);
    fc.assert(
      fc.property(u32, (n) => {
        const slot = seqToSlot(seq(n));
        assert.ok(Number.isInteger(slot) && slot >= -(2 ** 31) && slot < 2 ** 31);
        assert.equal(seqFromSlot(slot), n);
      }),
      { numRuns: 2000 },
    );
  });
});
