import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SendBuffer } from '../../src/tcp/send-buffer.js';
import { seq, seqAdd, seqDiff, type SeqNum } from '../../src/wire/seqnum.js';

const bytes = (...xs: number[]): Uint8Array => Uint8Array.from(xs);
const range = (from: number, n: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (from + i) & 0xff);

describe('SendBuffer', () => {
  test('empty buffer → length 0, free = capacity, peek empty', () => {
    const b = new SendBuffer(8);
    assert.equal(b.capacity, 8);
    assert.equal(b.length, 0);
    assert.equal(b.free, 8);
    assert.deepEqual(b.peek(0, 4), new Uint8Array(0));
  });

  test('write more than free → takes only free bytes', () => {
    const b = new SendBuffer(4);
    assert.equal(b.write(bytes(1, 2, 3, 4, 5, 6)), 4);
    assert.equal(b.length, 4);
    assert.equal(b.free, 0);
    assert.equal(b.write(bytes(7)), 0);
    assert.deepEqual(b.peek(0, 10), bytes(1, 2, 3, 4));
  });

  test('peek past the held bytes → clamped', () => {
    const b = new SendBuffer(8);
    b.write(bytes(1, 2, 3));
    assert.deepEqual(b.peek(1, 10), bytes(2, 3));
    assert.deepEqual(b.peek(3, 1), new Uint8Array(0));
    assert.deepEqual(b.peek(9, 1), new Uint8Array(0));
  });

  test('consume then write across the end of the ring → wraparound reads back in order', () => {
    const b = new SendBuffer(8);
    b.write(range(0, 6)); // 0..5 at ring 0..5
    b.consume(4); // head at ring 4
    assert.equal(b.write(range(6, 6)), 6); // 6,7 at ring 6,7; 8..11 at ring 0..3
    assert.equal(b.length, 8);
    assert.deepEqual(b.peek(0, 8), range(4, 8));
    assert.deepEqual(b.peek(3, 3), range(7, 3)); // straddles the ring end
    b.consume(5);
    assert.deepEqual(b.peek(0, 8), range(9, 3));
  });

  test('consume everything → next write starts contiguous', () => {
    const b = new SendBuffer(8);
    b.write(range(0, 7));
    b.consume(7);
    b.write(range(50, 8));
    assert.deepEqual(b.peek(0, 8), range(50, 8));
  });

  test('consume more than held, or negative → RangeError, state unchanged', () => {
    const b = new SendBuffer(8);
    b.write(bytes(1, 2));
    assert.throws(() => b.consume(3), RangeError);
    assert.throws(() => b.consume(-1), RangeError);
    assert.equal(b.length, 2);
  });

  test('resize with wrapped data → bytes kept in order; below length → RangeError', () => {
    const b = new SendBuffer(8);
    b.write(range(0, 8));
    b.consume(6);
    b.write(range(8, 4)); // wrapped: 6,7 | 8,9,10,11
    b.resize(16);
    assert.equal(b.capacity, 16);
    assert.deepEqual(b.peek(0, 100), range(6, 6));
    assert.equal(b.write(range(12, 20)), 10);
    assert.deepEqual(b.peek(0, 100), range(6, 16));
    assert.throws(() => b.resize(15), RangeError);
    b.consume(10);
    b.resize(6);
    assert.deepEqual(b.peek(0, 100), range(16, 6));
  });

  test('peeked payload, then its bytes ACKed and the buffer refilled → the payload is unchanged', () => {
    const b = new SendBuffer(4);
    b.write(range(0, 4));
    const seg = b.peek(0, 2);
    b.consume(4);
    b.write(range(100, 4));
    assert.deepEqual(seg, range(0, 2));
    assert.deepEqual(b.peek(0, 4), range(100, 4));
  });

  test('peek inside one block → a view of the written bytes (no copy); across two blocks → a copy', () => {
    const b = new SendBuffer(1024);
    b.write(range(0, 200)); // first block: 256 bytes (the smallest)
    const inOne = b.peek(10, 100);
    const again = b.peek(10, 100);
    assert.equal(inOne.buffer, again.buffer, 'both views of one block');
    // Small blocks are regions of a shared slab (small-block.ts): offsets count from the block's start.
    const blockStart = inOne.byteOffset - 10;
    assert.deepEqual(inOne, range(10, 100));
    b.write(range(200, 200)); // 56 fill the first block, 144 go to a new one
    const across = b.peek(250, 20);
    assert.deepEqual(across, range(250, 20));
    assert.notEqual(across.buffer, inOne.buffer, 'straddling segment copied');
    const second = b.peek(256, 144);
    assert.equal(
      b.peek(300, 50).byteOffset - second.byteOffset,
      44,
      'second block: view at its offset',
    );
    assert.equal(b.peek(300, 50).buffer, second.buffer);
    assert.equal(b.peek(0, 1).byteOffset, blockStart, 'first block: view at its offset');
    b.consume(256); // the first block is acknowledged entirely and dropped
    assert.deepEqual(inOne, range(10, 100), 'an old view keeps its bytes');
    assert.deepEqual(b.peek(0, 144), range(256, 144));
  });

  test('wrap of a fully acknowledged block → new writes never land on bytes handed out', () => {
    const b = new SendBuffer(300);
    b.write(range(0, 256)); // block of 256, full
    const v = b.peek(0, 256);
    b.consume(256);
    assert.equal(b.length, 0);
    b.write(range(7, 256));
    assert.deepEqual(v, range(0, 256));
    assert.deepEqual(b.peek(0, 256), range(7, 256));
  });

  test('engine use across the 2^32 wrap: offsets = seqDiff(x, SND.UNA) → right bytes per segment', () => {
    // SND.UNA just below 2^32; the engine sends MSS-sized segments from SND.NXT, ACKs move SND.UNA.
    const mss = 3;
    const b = new SendBuffer(16);
    let una: SeqNum = seq(2 ** 32 - 5);
    let nxt: SeqNum = una;
    b.write(range(0, 12));
    const sent: Array<[SeqNum, Uint8Array]> = [];
    while (seqDiff(nxt, una) < b.length) {
      const off = seqDiff(nxt, una);
      const payload = b.peek(off, mss);
      sent.push([nxt, payload]);
      nxt = seqAdd(nxt, payload.length);
    }
    assert.equal(sent.length, 4);
    assert.equal(nxt, seq(7), 'SND.NXT wrapped past 0');
    assert.deepEqual(sent[2]![1], range(6, 3));
    // A cumulative ACK for the first two segments (ACK number after the wrap).
    const ack = seqAdd(una, 6);
    assert.equal(ack, seq(1));
    b.consume(seqDiff(ack, una));
    una = ack;
    // Retransmitting the oldest unacknowledged segment reads the same bytes as its first send.
    assert.deepEqual(b.peek(seqDiff(sent[2]![0], una), mss), sent[2]![1]);
    assert.equal(b.length, seqDiff(nxt, una));
  });

  test('bad capacity or peek arguments → RangeError', () => {
    assert.throws(() => new SendBuffer(-1), RangeError);
    assert.throws(() => new SendBuffer(1.5), RangeError);
    const b = new SendBuffer(4);
    assert.throws(() => b.peek(-1, 1), RangeError);
    assert.throws(() => b.peek(0, -1), RangeError);
  });

  test('transient: an acknowledged block is reused, not reallocated; views last until write()', () => {
    const b = new SendBuffer(512, true);
    b.write(range(0, 512)); // one block of 512
    const first = b.peek(0, 100);
    b.consume(300);
    b.write(range(512, 200)); // the block is full: a second one (no spare yet)
    const second = b.peek(212, 200);
    assert.notEqual(second.buffer, first.buffer);
    assert.deepEqual(second, range(512, 200));
    b.consume(212); // the first block is all acknowledged: kept as the spare
    assert.equal(b.length, 200);
    b.write(range(712, 312)); // fills the second block (312 bytes of room)
    b.write(range(1024, 0));
    b.consume(100);
    assert.equal(b.write(range(1024, 100)), 100); // a new block: the spare, reused
    const third = b.peek(b.length - 100, 100);
    assert.equal(third.buffer, first.buffer, 'the first block again');
    assert.deepEqual(third, range(1024, 100));
    assert.deepEqual(b.peek(0, b.length), range(612, 512));
  });

  test(
    'property: any write/consume/peek sequence matches a plain array model',
    { timeout: 20_000 },
    () => {
      const op = fc.oneof(
        fc.record({ kind: fc.constant('write' as const), n: fc.integer({ min: 0, max: 200 }) }),
        fc.record({ kind: fc.constant('consume' as const), n: fc.integer({ min: 0, max: 200 }) }),
        fc.record({
          kind: fc.constant('peek' as const),
          n: fc.integer({ min: 0, max: 300 }),
          off: fc.integer({ min: 0, max: 300 }),
        }),
        fc.record({ kind: fc.constant('resize' as const), n: fc.integer({ min: 0, max: 700 }) }),
      );
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 600 }),
          fc.array(op, { maxLength: 60 }),
          fc.boolean(),
          (cap, ops, transient) => {
            const b = new SendBuffer(cap, transient);
            // Every payload peeked, with the bytes it had: they must never change afterwards.
            const peeked: Array<[Uint8Array, number[]]> = [];
            let model: number[] = [];
            let capacity = cap;
            let counter = 0;
            for (const o of ops) {
              if (o.kind === 'write') {
                // Transient views last only until the next write.
                if (transient) peeked.length = 0;
                const data = range(counter, o.n);
                const took = b.write(data);
                assert.equal(took, Math.min(o.n, capacity - model.length));
                model.push(...data.subarray(0, took));
                counter += took;
              } else if (o.kind === 'consume') {
                const n = Math.min(o.n, model.length);
                b.consume(n);
                model = model.slice(n);
              } else if (o.kind === 'peek') {
                const p = b.peek(o.off, o.n);
                assert.deepEqual([...p], model.slice(o.off, o.off + o.n));
                peeked.push([p, [...p]]);
              } else if (o.n >= model.length) {
                if (transient) peeked.length = 0;
                b.resize(o.n);
                capacity = o.n;
              }
              assert.equal(b.length, model.length);
              assert.equal(b.free, capacity - model.length);
            }
            assert.deepEqual([...b.peek(0, model.length)], model);
            for (const [p, was] of peeked) assert.deepEqual([...p], was);
          },
        ),
        { numRuns: 300, seed: 0x5eed },
      );
    },
  );
});
