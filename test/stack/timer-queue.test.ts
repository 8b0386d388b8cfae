import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { TimerQueue } from '../../src/stack/timer-queue.js';

class Item {
  heapSlot = -1;
  constructor(readonly name: string | number) {}
}
const items = new Map<string | number, Item>();
const it = (name: string | number): Item => {
  let x = items.get(name);
  if (!x) items.set(name, (x = new Item(name)));
  return x;
};
import { seededRandom } from '../../src/tcp/random.js';

describe('TimerQueue', () => {
  test('empty queue → no deadline, popDue returns undefined', { timeout: 60_000 }, () => {
    const q = new TimerQueue<Item>();
    assert.equal(q.size, 0);
    assert.equal(q.peekDeadline(), undefined);
    assert.equal(q.nextAt(), Infinity);
    assert.equal(q.popDue(1e9), undefined);
  });

  test(
    'items with deadlines → popped in deadline order, ties in insertion order',
    { timeout: 60_000 },
    () => {
      const q = new TimerQueue<Item>();
      q.set(it('c'), 30);
      q.set(it('a'), 10);
      q.set(it('b'), 10);
      q.set(it('d'), 5);
      assert.equal(q.peekDeadline(), 5);
      assert.equal(q.nextAt(), 5);
      const out: string[] = [];
      for (let x = q.popDue(100); x; x = q.popDue(100)) out.push(x.name as string);
      assert.deepEqual(out, ['d', 'a', 'b', 'c']);
    },
  );

  test('popDue(now) → only items due at or before now', { timeout: 60_000 }, () => {
    const q = new TimerQueue<Item>();
    q.set(it(1), 10);
    q.set(it(2), 20);
    assert.equal(q.popDue(9), undefined);
    assert.equal(q.popDue(10), it(1));
    assert.equal(q.popDue(19), undefined);
    assert.equal(q.size, 1);
  });

  test(
    'set on an existing item → moved, not duplicated; delete → gone',
    { timeout: 60_000 },
    () => {
      const q = new TimerQueue<Item>();
      q.set(it('a'), 10);
      q.set(it('b'), 20);
      q.set(it('a'), 30);
      assert.equal(q.size, 2);
      assert.equal(q.peek(), it('b'));
      assert.equal(q.deadlineOf(it('a')), 30);
      assert.equal(q.delete(it('b')), true);
      assert.equal(q.delete(it('b')), false);
      assert.equal(q.peek(), it('a'));
    },
  );

  test(
    '10,000 random set/delete operations → always pops the true minimum',
    { timeout: 60_000 },
    () => {
      const q = new TimerQueue<Item>();
      const model = new Map<number, number>();
      const r = seededRandom(7);
      for (let i = 0; i < 10_000; i++) {
        const item = r.nextU32() % 500;
        if (r.next() < 0.3) {
          q.delete(it(item));
          model.delete(item);
        } else {
          const d = r.nextU32() % 1000;
          q.set(it(item), d);
          model.set(item, d);
        }
        assert.equal(q.size, model.size);
        const min = model.size ? Math.min(...model.values()) : undefined;
        assert.equal(q.peekDeadline(), min);
      }
      let last = -1;
      for (let x = q.popDue(Infinity); x !== undefined; x = q.popDue(Infinity)) {
        const d = model.get(x.name as number)!;
        assert.ok(d >= last);
        last = d;
        model.delete(x.name as number);
      }
      assert.equal(model.size, 0);
    },
  );
});
