import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { IsnGenerator, encodeTuple } from '../../src/tcp/isn.js';
import { seededRandom } from '../../src/tcp/random.js';
import { seqDiff, seq } from '../../src/wire/seqnum.js';

const secret = Uint8Array.from({ length: 16 }, (_, i) => i * 7);

describe('IsnGenerator (RFC 6528)', () => {
  test('same 4-tuple, same time → same ISN; new generator, same secret → same ISN', () => {
    const g = new IsnGenerator(secret);
    const a = g.isn('198.18.0.1', 40000, '198.18.0.2', 80, 1234);
    assert.equal(g.isn('198.18.0.1', 40000, '198.18.0.2', 80, 1234), a);
    assert.equal(new IsnGenerator(secret).isn('198.18.0.1', 40000, '198.18.0.2', 80, 1234), a);
  });

  test('same 4-tuple, later time → larger by exactly 250 per ms (the 4 µs clock M)', () => {
    const g = new IsnGenerator(secret);
    const t0 = g.isn('198.18.0.1', 40000, '198.18.0.2', 80, 1000);
    assert.equal(seqDiff(g.isn('198.18.0.1', 40000, '198.18.0.2', 80, 1001), t0), 250);
    assert.equal(seqDiff(g.isn('198.18.0.1', 40000, '198.18.0.2', 80, 1000.004), t0), 1);
    assert.equal(seqDiff(g.isn('198.18.0.1', 40000, '198.18.0.2', 80, 61_000), t0), 15_000_000);
  });

  test('clock past 2^32 ticks → wraps modulo 2^32, still +250/ms across the wrap', () => {
    const g = new IsnGenerator(secret);
    const wrapMs = 2 ** 32 / 250; // 17 179 869.184 ms
    const before = g.isn('::1', 1, '::1', 2, wrapMs - 1);
    const after = g.isn('::1', 1, '::1', 2, wrapMs + 1);
    assert.equal(seqDiff(after, before), 500);
    const big = g.isn('::1', 1, '::1', 2, Date.UTC(2026, 0, 1));
    assert.ok(Number.isInteger(big) && big >= 0 && big < 2 ** 32);
  });

  test('different 4-tuples, same time → unrelated ISNs (offsets spread over 2^32)', () => {
    const g = new IsnGenerator(secret);
    const seen = new Set<number>();
    let highBitSet = 0;
    const n = 400;
    for (let p = 0; p < n; p++) {
      const v = g.isn('198.18.0.1', 49152 + p, '198.18.0.2', 443, 0);
      seen.add(v);
      if (v >= 2 ** 31) highBitSet++;
    }
    assert.equal(seen.size, n, 'no collisions among neighbouring ports');
    assert.ok(highBitSet > n * 0.35 && highBitSet < n * 0.65, `high bit set ${highBitSet}/${n}`);
    // Swapping the ends, changing one address or one port each changes the ISN.
    const base = g.isn('198.18.0.1', 1000, '198.18.0.2', 2000, 0);
    for (const other of [
      g.isn('198.18.0.2', 2000, '198.18.0.1', 1000, 0),
      g.isn('198.18.0.3', 1000, '198.18.0.2', 2000, 0),
      g.isn('198.18.0.1', 1001, '198.18.0.2', 2000, 0),
      g.isn('198.18.0.1', 1000, '198.18.0.2', 2001, 0),
    ]) {
      assert.notEqual(other, base);
    }
  });

  test('different secrets → different ISNs for the same 4-tuple', () => {
    const r = seededRandom(9);
    const a = new IsnGenerator(r.bytes(16)).isn('198.18.0.1', 1, '198.18.0.2', 2, 0);
    const b = new IsnGenerator(r.bytes(16)).isn('198.18.0.1', 1, '198.18.0.2', 2, 0);
    assert.notEqual(a, b);
  });

  test('secret changed by the caller after construction → ISNs unchanged (secret copied)', () => {
    const s = secret.slice();
    const g = new IsnGenerator(s);
    const a = g.isn('198.18.0.1', 1, '198.18.0.2', 2, 0);
    s.fill(0);
    assert.equal(g.isn('198.18.0.1', 1, '198.18.0.2', 2, 0), a);
  });

  test('secret not 16 bytes → RangeError', () => {
    assert.throws(() => new IsnGenerator(new Uint8Array(8)), RangeError);
  });

  test('encodeTuple → length-prefixed, so shifted digits give different bytes', () => {
    assert.notDeepEqual(encodeTuple('1.2.3.4', 5, '6', 7), encodeTuple('1.2.3.45', 5, '', 7));
    assert.equal(seq(2 ** 32 + 5), 5);
  });
});
