import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { DeadlineFifo } from '../../src/stack/deadline-fifo.js';
import { seededRandom } from '../../src/tcp/random.js';

class Item {
  fifoSeq = -1;
  constructor(readonly name: string) {}
}

const popAll = (q: DeadlineFifo<Item>, now: number): string[] => {
  const out: string[] = [];
  for (let x = q.popDue(now); x; x = q.popDue(now)) out.push(x.name);
  return out;
};

describe('DeadlineFifo', () => {
  test('empty → no deadline, popDue undefined, any deadline accepted', { timeout: 60_000 }, () => {
    const q = new DeadlineFifo<Item>();
    assert.equal(q.size, 0);
    assert.equal(q.nextAt(), Infinity);
    assert.equal(q.popDue(1e9), undefined);
    assert.equal(q.accepts(-5), true);
  });

  test('nondecreasing adds → popped in order, only when due', { timeout: 60_000 }, () => {
    const q = new DeadlineFifo<Item>();
    const [a, b, c] = [new Item('a'), new Item('b'), new Item('c')];
    q.add(a, 10);
    q.add(b, 10);
    q.add(c, 25);
    assert.equal(q.size, 3);
    assert.equal(q.nextAt(), 10);
    assert.deepEqual(popAll(q, 9), []);
    assert.deepEqual(popAll(q, 10), ['a', 'b']);
    assert.equal(q.nextAt(), 25);
    assert.deepEqual(popAll(q, 100), ['c']);
    assert.equal(q.size, 0);
    assert.equal(c.fifoSeq, -1);
  });

  test('a deadline before the last → accepts false, add throws RangeError', () => {
    const q = new DeadlineFifo<Item>();
    q.add(new Item('a'), 10);
    assert.equal(q.accepts(9), false);
    assert.equal(q.accepts(10), true);
    assert.throws(() => q.add(new Item('b'), 9), RangeError);
  });

  test('delete → skipped at the head; size and has follow', { timeout: 60_000 }, () => {
    const q = new DeadlineFifo<Item>();
    const [a, b] = [new Item('a'), new Item('b')];
    q.add(a, 1);
    q.add(b, 2);
    assert.equal(q.delete(a), true);
    assert.equal(q.delete(a), false);
    assert.equal(q.has(a), false);
    assert.equal(q.size, 1);
    assert.equal(q.nextAt(), 2);
    assert.deepEqual(popAll(q, 5), ['b']);
  });

  test('re-added later → only the new entry counts', { timeout: 60_000 }, () => {
    const q = new DeadlineFifo<Item>();
    const [a, b] = [new Item('a'), new Item('b')];
    q.add(a, 1);
    q.add(b, 2);
    q.add(a, 3);
    assert.equal(q.size, 2);
    assert.deepEqual(popAll(q, 2), ['b']);
    assert.deepEqual(popAll(q, 3), ['a']);
    assert.equal(q.size, 0);
  });

  test('clear → empty, items no longer queued', { timeout: 60_000 }, () => {
    const q = new DeadlineFifo<Item>();
    const a = new Item('a');
    q.add(a, 1);
    q.clear();
    assert.equal(q.size, 0);
    assert.equal(a.fifoSeq, -1);
    assert.equal(q.popDue(10), undefined);
  });

  test('the tail item re-added → its entry updated in place, no new entry', () => {
    const q = new DeadlineFifo<Item>();
    const [a, b] = [new Item('a'), new Item('b')];
    q.add(a, 1);
    q.add(b, 2);
    for (let i = 0; i < 10_000; i++) q.add(b, 2 + (i >> 3));
    assert.equal(q.entryCount, 2);
    assert.equal(q.deadlineOf(b), 2 + (9_999 >> 3));
    assert.deepEqual(popAll(q, 1), ['a']);
    assert.deepEqual(popAll(q, 1_000), []);
    assert.deepEqual(popAll(q, 1_251), ['b']);
  });

  test("deadlineOf → the live entry's deadline, undefined when not queued", () => {
    const q = new DeadlineFifo<Item>();
    const items = Array.from({ length: 50 }, (_, i) => new Item(String(i)));
    items.forEach((x, i) => q.add(x, i * 2));
    q.add(items[10]!, 100); // its entry at 20 goes stale
    q.delete(items[20]!);
    assert.equal(q.deadlineOf(items[0]!), 0);
    assert.equal(q.deadlineOf(items[9]!), 18);
    assert.equal(q.deadlineOf(items[10]!), 100);
    assert.equal(q.deadlineOf(items[20]!), undefined);
    assert.equal(q.deadlineOf(items[49]!), 98);
    assert.equal(q.deadlineOf(new Item('x')), undefined);
  });

  test('items re-added in turn → stale entries bounded by size + 1024, pops unchanged', () => {
    const q = new DeadlineFifo<Item>();
    const items = Array.from({ length: 10 }, (_, i) => new Item(String(i)));
    let t = 0;
    for (let i = 0; i < 20_000; i++) q.add(items[i % 10]!, t++);
    assert.equal(q.size, 10);
    assert.ok(q.entryCount <= 2 * 10 + 1025, `${q.entryCount} entries for 10 items`);
    for (const x of items) assert.equal(q.deadlineOf(x), 19_990 + Number(x.name));
    assert.deepEqual(popAll(q, 19_994), ['0', '1', '2', '3', '4']);
    assert.deepEqual(popAll(q, Infinity), ['5', '6', '7', '8', '9']);
    assert.equal(q.entryCount, 0);
  });

  test(
    '10,000 adds, random deletes and re-adds → pops exactly the live items, in deadline order',
    { timeout: 60_000 },
    () => {
      const r = seededRandom(3);
      const q = new DeadlineFifo<Item>();
      const items = Array.from({ length: 500 }, (_, i) => new Item(String(i)));
      const live = new Map<Item, number>();
      let t = 0;
      for (let step = 0; step < 10_000; step++) {
        const x = items[r.nextU32() % items.length]!;
        const op = r.nextU32() % 4;
        if (op === 0) {
          q.delete(x);
          live.delete(x);
        } else if (op === 1) {
          // pop what is due at t
          for (let y = q.popDue(t); y; y = q.popDue(t)) {
            assert.ok(live.has(y) && live.get(y)! <= t);
            live.delete(y);
          }
        } else {
          t += r.nextU32() % 3;
          q.add(x, t);
          live.set(x, t);
        }
        assert.equal(q.size, live.size);
        const y = items[r.nextU32() % items.length]!;
        assert.equal(q.deadlineOf(y), live.get(y));
      }
      const rest: number[] = [];
      for (let y = q.popDue(Infinity); y; y = q.popDue(Infinity)) {
        rest.push(live.get(y)!);
        live.delete(y);
      }
      assert.equal(live.size, 0);
      assert.deepEqual(
        rest,
        [...rest].sort((p, s) => p - s),
      );
    },
  );
});
