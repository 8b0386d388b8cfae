import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ReceiveBuffer } from '../../src/tcp/receive-buffer.js';
import { seq, seqAdd, seqDiff, seqLe, type SeqNum } from '../../src/wire/seqnum.js';

const range = (from: number, n: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

/** `stream[from, to)` as the payload of a fresh packet (40 header bytes before it), as a link hands one over. */
const packet = (stream: Uint8Array, from: number, to: number): Uint8Array => {
  const p = new Uint8Array(40 + to - from);
  p.set(stream.subarray(from, to), 40);
  return p.subarray(40);
};

describe('ReceiveBuffer', () => {
  test('in-order packet payload with nothing waiting → read() returns it without a copy', () => {
    const stream = range(0, 3000);
    const r = new ReceiveBuffer(4096);
    const p1 = packet(stream, 0, 1000);
    assert.equal(r.insert(0, p1), 1000);
    assert.equal(r.window, 3096);
    const got = r.read();
    assert.equal(got.buffer, p1.buffer, 'the payload itself');
    assert.deepEqual(got, range(0, 1000));
    // Two kept payloads, read in parts: views while inside one, a copy across them.
    r.insert(0, packet(stream, 1000, 2000));
    r.insert(0, packet(stream, 2000, 2600));
    assert.equal(r.readable, 1600);
    const part = r.read(400);
    assert.equal(part.byteOffset, 40, 'a view of the first payload');
    assert.deepEqual(part, range(1000, 400));
    assert.deepEqual(r.read(700), range(1400, 700));
    assert.deepEqual(r.read(), range(2100, 500));
    assert.equal(r.window, 4096);
  });

  test('kept payloads, then out-of-order data and the hole filled → bytes in stream order', () => {
    const stream = range(0, 5000);
    const r = new ReceiveBuffer(8192);
    r.insert(0, packet(stream, 0, 1000)); // kept as a view
    assert.equal(r.insert(1000, packet(stream, 2000, 3000)), 0); // held in the ring
    assert.equal(r.insert(0, packet(stream, 1000, 2000)), 2000); // hole filled (ring)
    assert.equal(r.insert(0, packet(stream, 3000, 4000)), 1000); // after ring bytes: ring too
    assert.equal(r.readable, 4000);
    assert.equal(r.window, 8192 - 4000);
    assert.deepEqual(r.read(), range(0, 4000));
    assert.equal(r.insert(0, packet(stream, 4000, 5000)), 1000);
    assert.deepEqual(r.read(), range(4000, 1000));
  });

  test('small payloads, or views that would pin over twice the capacity → copied', () => {
    const r = new ReceiveBuffer(4096);
    const small = packet(range(0, 100), 0, 100);
    r.insert(0, small);
    const big = new Uint8Array(10_000);
    big.set(range(100, 1000), 0);
    r.insert(0, big.subarray(0, 1000));
    small.fill(0);
    big.fill(0);
    assert.deepEqual(r.read(), range(0, 1100));
  });

  test('payloads of one shared slab → kept while the slabs pinned stay within twice the capacity', () => {
    const r = new ReceiveBuffer(4096);
    const slabA = new Uint8Array(3000);
    const slabB = new Uint8Array(6000);
    slabA.set(range(0, 2000), 0);
    slabB.set(range(2000, 1500), 0);
    slabB.set(range(3500, 500), 2000);
    assert.equal(r.insert(0, slabA.subarray(0, 1000)), 1000); // pins A: 3000
    assert.equal(r.insert(0, slabA.subarray(1000, 2000)), 1000); // same slab: still 3000
    assert.equal(r.insert(0, slabB.subarray(0, 1500)), 1500); // B would make 9000 > 8192: copied
    assert.equal(r.insert(0, slabB.subarray(2000, 2500)), 500); // after ring bytes: copied
    slabB.fill(0);
    const first = r.read(1000);
    assert.equal(first.buffer, slabA.buffer, 'a view of slab A');
    assert.deepEqual(first, range(0, 1000));
    assert.deepEqual(r.read(), range(1000, 3000));
  });

  test('a small in-order payload with nothing held → one copy of its own, trimmed to the window, handed on by read()', () => {
    for (const n of [1, 16, 17, 300]) {
      const r = new ReceiveBuffer(n + 4);
      const p = packet(range(0, n + 10), 0, n + 10);
      assert.equal(r.insert(0, p), n + 4, 'trimmed to the window');
      assert.equal(r.allocated, n + 4, 'its own copy');
      p.fill(0);
      assert.equal(r.window, 0);
      assert.deepEqual(r.read(2), range(0, 2));
      const rest = r.read();
      assert.deepEqual(rest, range(2, n + 2));
      assert.equal(r.allocated, 0);
      assert.equal(r.window, n + 4);
    }
    // A second small payload while the first is unread goes behind it (into the ring).
    const r = new ReceiveBuffer(64);
    r.insert(0, range(0, 3));
    r.insert(0, range(3, 4));
    assert.equal(r.readable, 7);
    assert.deepEqual(r.read(), range(0, 7));
  });

  test('empty → window = capacity, nothing readable, read() empty', () => {
    const r = new ReceiveBuffer(10);
    assert.equal(r.capacity, 10);
    assert.equal(r.window, 10);
    assert.equal(r.readable, 0);
    assert.equal(r.outOfOrderBytes, 0);
    assert.deepEqual(r.read(), new Uint8Array(0));
    assert.deepEqual(r.outOfOrderRanges(), []);
  });

  test('in-order insert at offset 0 → returns its length, readable, window shrinks', () => {
    const r = new ReceiveBuffer(10);
    assert.equal(r.insert(0, range(0, 4)), 4);
    assert.equal(r.readable, 4);
    assert.equal(r.window, 6);
    assert.deepEqual(r.read(3), range(0, 3));
    assert.equal(r.window, 9);
    assert.deepEqual(r.read(), range(3, 1));
    assert.equal(r.window, 10);
  });

  test('small in-order inserts with nothing out of order → readable at once, no range; a later hole still held', () => {
    const r = new ReceiveBuffer(16);
    assert.equal(r.insert(0, range(0, 1)), 1);
    assert.equal(r.insert(0, range(1, 2)), 2);
    assert.equal(r.readable, 3);
    assert.equal(r.outOfOrderBytes, 0);
    assert.deepEqual(r.outOfOrderRanges(), []);
    assert.equal(r.window, 13);
    assert.equal(r.insert(2, range(5, 2)), 0); // [5,7) held past a hole at [3,5)
    assert.deepEqual(r.outOfOrderRanges(), [[2, 4]]);
    assert.equal(r.insert(0, range(3, 2)), 4); // fills the hole, joins [5,7)
    assert.equal(r.outOfOrderBytes, 0);
    assert.equal(r.insert(0, range(7, 20)), 9, 'trimmed to the window');
    assert.deepEqual(r.read(), range(0, 16));
    assert.equal(r.allocated, 0);
  });

  test('out-of-order insert → held (returns 0), ranges reported; hole filled → all in-order', () => {
    const r = new ReceiveBuffer(20);
    assert.equal(r.insert(4, range(4, 3)), 0); // [4,7)
    assert.equal(r.insert(10, range(10, 2)), 0); // [10,12)
    assert.equal(r.outOfOrderBytes, 5);
    assert.deepEqual(r.outOfOrderRanges(), [
      [4, 7],
      [10, 12],
    ]);
    assert.equal(r.window, 20, 'held bytes do not shrink the advertised window');
    assert.equal(r.insert(0, range(0, 4)), 7); // fills [0,4) and joins [4,7)
    assert.equal(r.readable, 7);
    assert.equal(r.outOfOrderBytes, 2);
    assert.deepEqual(r.outOfOrderRanges(), [[3, 5]], 'relative to the new next expected byte');
    assert.equal(r.insert(0, range(7, 3)), 5);
    assert.deepEqual(r.read(), range(0, 12));
    assert.equal(r.outOfOrderBytes, 0);
  });

  test('overlapping and duplicate segments → counted once', () => {
    const r = new ReceiveBuffer(20);
    r.insert(5, range(5, 5)); // [5,10)
    r.insert(3, range(3, 4)); // [3,7) overlaps
    r.insert(8, range(8, 5)); // [8,13) overlaps
    r.insert(5, range(5, 5)); // duplicate
    assert.equal(r.outOfOrderBytes, 10);
    assert.deepEqual(r.outOfOrderRanges(), [[3, 13]]);
    r.insert(14, range(14, 1));
    r.insert(13, range(13, 1)); // adjacent on both sides: merges into one
    assert.deepEqual(r.outOfOrderRanges(), [[3, 15]]);
    assert.equal(r.insert(0, range(0, 3)), 15);
    assert.deepEqual(r.read(), range(0, 15));
  });

  test('data beyond the window → trimmed to the window; at or past it → dropped', () => {
    const r = new ReceiveBuffer(8);
    r.insert(0, range(0, 5)); // window 3
    assert.equal(r.window, 3);
    assert.equal(r.insert(3, range(5, 1)), 0, 'offset == window: outside');
    assert.equal(r.outOfOrderBytes, 0);
    assert.equal(r.insert(1, range(6, 5)), 0); // keeps [1,3)
    assert.deepEqual(r.outOfOrderRanges(), [[1, 3]]);
    assert.equal(r.insert(0, range(5, 10)), 3); // keeps only [0,3)
    assert.equal(r.window, 0);
    assert.equal(r.insert(0, range(8, 1)), 0, 'zero window: nothing accepted');
    assert.deepEqual(r.read(), range(0, 8));
  });

  test('zero-length insert → 0, no range', () => {
    const r = new ReceiveBuffer(8);
    assert.equal(r.insert(2, new Uint8Array(0)), 0);
    assert.equal(r.insert(0, new Uint8Array(0)), 0);
    assert.deepEqual(r.outOfOrderRanges(), []);
  });

  test('engine use across the 2^32 wrap: offset = seqDiff(SEG.SEQ, RCV.NXT), trimmed → stream intact', () => {
    // RFC 9293 §3.10.7.4: trim the part before RCV.NXT, hand the rest to reassembly, then advance
    // RCV.NXT by what insert() returns. Segments (seq, length) straddle the wrap and arrive out of order.
    const irs = seq(2 ** 32 - 10);
    const stream = range(0, 30);
    const seg = (start: number, len: number): [SeqNum, Uint8Array] => [
      seqAdd(irs, start),
      stream.subarray(start, start + len),
    ];
    const arrivals = [
      seg(20, 10),
      seg(5, 10),
      seg(0, 4),
      seg(3, 4),
      seg(0, 5),
      seg(12, 12),
      seg(14, 3),
    ];
    const r = new ReceiveBuffer(64);
    let rcvNxt = irs;
    const advances: number[] = [];
    for (const [segSeq, data] of arrivals) {
      const end = seqAdd(segSeq, data.length);
      if (seqLe(end, rcvNxt)) continue; // wholly duplicate
      const skip = Math.max(0, seqDiff(rcvNxt, segSeq));
      const gained = r.insert(Math.max(0, seqDiff(segSeq, rcvNxt)), data.subarray(skip));
      rcvNxt = seqAdd(rcvNxt, gained);
      advances.push(gained);
    }
    assert.deepEqual(advances, [0, 0, 4, 11, 15]);
    assert.equal(rcvNxt, seqAdd(irs, 30));
    assert.equal(rcvNxt, seq(20), 'RCV.NXT wrapped past 0');
    assert.deepEqual(r.read(), stream);
  });

  test('bad offset or max → RangeError', () => {
    const r = new ReceiveBuffer(8);
    assert.throws(() => r.insert(-1, range(0, 1)), RangeError);
    assert.throws(() => r.insert(0.5, range(0, 1)), RangeError);
    assert.throws(() => r.read(-1), RangeError);
    assert.throws(() => new ReceiveBuffer(-1), RangeError);
  });

  test('ring wraparound with held data → bytes intact', () => {
    const r = new ReceiveBuffer(8);
    r.insert(0, range(0, 6));
    assert.deepEqual(r.read(5), range(0, 5)); // head at 5, 1 readable
    r.insert(3, range(9, 4)); // ring positions wrap
    assert.equal(r.insert(0, range(6, 3)), 7);
    assert.deepEqual(r.read(), range(5, 8));
  });

  const streamProperty = (scale: number, packets: boolean, runs: number): void => {
    // A random stream is cut into random overlapping chunks, some duplicated; they arrive in a
    // random order, each inserted at its offset relative to the moving next expected byte (chunks
    // wholly before it are dropped, partly before it trimmed, exactly as the engine does). The
    // reader reads at random moments; whatever doesn't fit the window is dropped, so delivery
    // repeats in rounds (like retransmissions) until the whole stream is read.
    const scenario = fc
      .record({
        len: fc.integer({ min: 1, max: 300 * scale }),
        capacity: fc.integer({ min: scale === 1 ? 1 : 256, max: 128 * scale }),
        seed: fc.integer(),
      })
      .chain(({ len, capacity, seed }) =>
        fc.record({
          len: fc.constant(len),
          capacity: fc.constant(capacity),
          seed: fc.constant(seed),
          chunks: fc.array(
            fc
              .tuple(fc.integer({ min: 0, max: len - 1 }), fc.integer({ min: 1, max: 40 * scale }))
              .map(([s, n]): [number, number] => [s, Math.min(len, s + n)]),
            { maxLength: 40 },
          ),
          order: fc.array(fc.nat(), { minLength: 80, maxLength: 80 }),
          reads: fc.array(fc.integer({ min: 0, max: 64 * scale }), {
            minLength: 80,
            maxLength: 80,
          }),
        }),
      );
    fc.assert(
      fc.property(scenario, ({ len, capacity, seed, chunks, order, reads }) => {
        const stream = Uint8Array.from({ length: len }, (_, i) => (i * 131 + seed) & 0xff);
        const r = new ReceiveBuffer(capacity);
        const got: number[] = [];
        let next = 0; // absolute RCV.NXT
        // Always-present tiling so the stream can complete; plus the random chunks.
        const tiling: Array<[number, number]> = [];
        for (let s = 0; s < len; s += 17 * scale) tiling.push([s, Math.min(len, s + 17 * scale)]);
        const all = [...chunks, ...chunks.slice(0, 5), ...tiling];
        // Shuffle by the generated order (deterministic per case).
        const shuffled = all
          .map((c, i) => ({ c, k: order[i % order.length]! * 1000 + i }))
          .sort((a, b) => a.k - b.k)
          .map((x) => x.c);
        let step = 0;
        for (let round = 0; round < 1000 && got.length < len; round++) {
          for (const [s, e] of shuffled) {
            if (e <= next) continue; // wholly old: the engine drops it
            const from = Math.max(s, next); // trim bytes before RCV.NXT
            const gained = r.insert(
              from - next,
              packets ? packet(stream, from, e) : stream.subarray(from, e),
            );
            next += gained;
            assert.equal(r.readable + got.length, next);
            const want = reads[step++ % reads.length]!;
            if (want > 0) got.push(...r.read(want));
          }
          got.push(...r.read());
        }
        assert.equal(got.length, len);
        assert.deepEqual(Uint8Array.from(got), stream);
        assert.equal(r.outOfOrderBytes, 0);
        assert.deepEqual(r.outOfOrderRanges(), []);
      }),
      { numRuns: runs, seed: 0x7cb },
    );
  };

  test(
    "property: any permutation/duplication/overlap of a stream's chunks → reads back the stream",
    { timeout: 30_000 },
    () => streamProperty(1, false, 300),
  );

  test(
    'property: the same with packet-sized payloads in packet buffers (kept as views) → the stream',
    { timeout: 30_000 },
    () => streamProperty(40, true, 150),
  );

  test(
    'property: outOfOrderBytes equals the total length of outOfOrderRanges, ranges sorted and disjoint',
    { timeout: 20_000 },
    () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 64 }),
          fc.array(fc.tuple(fc.integer({ min: 0, max: 70 }), fc.integer({ min: 0, max: 20 })), {
            maxLength: 40,
          }),
          (capacity, inserts) => {
            const r = new ReceiveBuffer(capacity);
            for (const [off, n] of inserts) {
              r.insert(off, range(0, n));
              const ranges = r.outOfOrderRanges();
              let total = 0;
              let prevEnd = 0;
              for (const [s, e] of ranges) {
                assert.ok(s > prevEnd, 'a hole before each range (the first one included)');
                assert.ok(e > s);
                assert.ok(e <= r.window, 'held bytes stay inside the window');
                total += e - s;
                prevEnd = e;
              }
              assert.equal(r.outOfOrderBytes, total);
            }
          },
        ),
        { numRuns: 300, seed: 0x0dd },
      );
    },
  );
});
