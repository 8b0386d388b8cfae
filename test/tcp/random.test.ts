import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom, cryptoRandom } from '../../src/tcp/random.js';
import { siphash24, siphash24U32 } from '../../src/tcp/siphash.js';

describe('seededRandom', () => {
  test('same seed → same stream', { timeout: 5000 }, () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    for (let i = 0; i < 1000; i++) assert.equal(a.nextU32(), b.nextU32());
    assert.deepEqual(a.bytes(37), b.bytes(37));
    assert.equal(a.next(), b.next());
  });

  test('different seeds → different streams', { timeout: 5000 }, () => {
    const a = seededRandom(1);
    const b = seededRandom(2);
    const xs = Array.from({ length: 16 }, () => a.nextU32());
    const ys = Array.from({ length: 16 }, () => b.nextU32());
    assert.notDeepEqual(xs, ys);
  });

  test('nextU32 → integers in [0, 2^32); next → [0, 1); roughly uniform', { timeout: 5000 }, () => {
    const r = seededRandom(7);
    const buckets = new Array<number>(16).fill(0);
    const n = 16_000;
    for (let i = 0; i < n; i++) {
      const u = r.nextU32();
      assert.ok(Number.isInteger(u) && u >= 0 && u < 2 ** 32);
      const f = r.next();
      assert.ok(f >= 0 && f < 1);
      buckets[Math.floor(f * 16)]!++;
    }
    // Each bucket expects 1000; a correct generator stays well inside ±25 %.
    for (const c of buckets) assert.ok(c > 750 && c < 1250, `bucket count ${c}`);
  });

  test('bytes(n) → exactly n bytes, bytes(0) empty, bad n → RangeError', { timeout: 5000 }, () => {
    const r = seededRandom(3);
    for (const n of [0, 1, 3, 4, 5, 17]) assert.equal(r.bytes(n).length, n);
    assert.throws(() => r.bytes(-1), RangeError);
    assert.throws(() => r.bytes(1.5), RangeError);
  });
});

describe('cryptoRandom', () => {
  test(
    'draws → values in range, bytes of the asked length, not constant',
    { timeout: 5000 },
    () => {
      const r = cryptoRandom();
      const xs = new Set<number>();
      for (let i = 0; i < 200; i++) {
        const u = r.nextU32();
        assert.ok(Number.isInteger(u) && u >= 0 && u < 2 ** 32);
        xs.add(u);
        const f = r.next();
        assert.ok(f >= 0 && f < 1);
      }
      assert.ok(xs.size > 190);
      assert.equal(r.bytes(70_000).length, 70_000);
      assert.equal(r.bytes(0).length, 0);
    },
  );
});

// Reference vectors of SipHash-2-4 (64-bit output): key 00 01 … 0f, message 00 01 … (i−1) for
// i = 0..63, output read as a little-endian 64-bit word. Vector 15 is the worked example of the
// paper's Appendix A (0xa129ca6149be45e5).
const VECTORS: readonly bigint[] = [
  0x726fdb47dd0e0e31n,
  0x74f839c593dc67fdn,
  0x0d6c8009d9a94f5an,
  0x85676696d7fb7e2dn,
  0xcf2794e0277187b7n,
  0x18765564cd99a68dn,
  0xcbc9466e58fee3cen,
  0xab0200f58b01d137n,
  0x93f5f5799a932462n,
  0x9e0082df0ba9e4b0n,
  0x7a5dbbc594ddb9f3n,
  0xf4b32f46226bada7n,
  0x751e8fbc860ee5fbn,
  0x14ea5627c0843d90n,
  0xf723ca908e7af2een,
  0xa129ca6149be45e5n,
  0x3f2acc7f57c29bdbn,
  0x699ae9f52cbe4794n,
  0x4bc1b3f0968dd39cn,
  0xbb6dc91da77961bdn,
  0xbed65cf21aa2ee98n,
  0xd0f2cbb02e3b67c7n,
  0x93536795e3a33e88n,
  0xa80c038ccd5ccec8n,
  0xb8ad50c6f649af94n,
  0xbce192de8a85b8ean,
  0x17d835b85bbb15f3n,
  0x2f2e6163076bcfadn,
  0xde4daaaca71dc9a5n,
  0xa6a2506687956571n,
  0xad87a3535c49ef28n,
  0x32d892fad841c342n,
  0x7127512f72f27ccen,
  0xa7f32346f95978e3n,
  0x12e0b01abb051238n,
  0x15e034d40fa197aen,
  0x314dffbe0815a3b4n,
  0x027990f029623981n,
  0xcadcd4e59ef40c4dn,
  0x9abfd8766a33735cn,
  0x0e3ea96b5304a7d0n,
  0xad0c42d6fc585992n,
  0x187306c89bc215a9n,
  0xd4a60abcf3792b95n,
  0xf935451de4f21df2n,
  0xa9538f0419755787n,
  0xdb9acddff56ca510n,
  0xd06c98cd5c0975ebn,
  0xe612a3cb9ecba951n,
  0xc766e62cfcadaf96n,
  0xee64435a9752fe72n,
  0xa192d576b245165an,
  0x0a8787bf8ecb74b2n,
  0x81b3e73d20b49b6fn,
  0x7fa8220ba3b2ecean,
  0x245731c13ca42499n,
  0xb78dbfaf3a8d83bdn,
  0xea1ad565322a1a0bn,
  0x60e61c23a3795013n,
  0x6606d7e446282b93n,
  0x6ca4ecb15c5f91e1n,
  0x9f626da15c9625f3n,
  0xe51b38608ef25f57n,
  0x958a324ceb064572n,
];

describe('siphash24', () => {
  const key = Uint8Array.from({ length: 16 }, (_, i) => i);
  const msg = Uint8Array.from({ length: 64 }, (_, i) => i);

  test('reference vectors, lengths 0..63 → the published outputs', { timeout: 5000 }, () => {
    for (let i = 0; i < 64; i++) {
      assert.equal(siphash24(key, msg.subarray(0, i)), VECTORS[i], `length ${i}`);
    }
  });

  test('paper Appendix A (15-byte message) → 0xa129ca6149be45e5; U32 → low word', () => {
    assert.equal(siphash24(key, msg.subarray(0, 15)), 0xa129ca6149be45e5n);
    assert.equal(siphash24U32(key, msg.subarray(0, 15)), 0x49be45e5);
  });

  test('key not 16 bytes → RangeError', () => {
    assert.throws(() => siphash24(new Uint8Array(15), msg), RangeError);
  });
});
