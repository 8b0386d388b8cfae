import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { TimerQueue } from '../../src/stack/timer-queue.js';
import { seededRandom } from '../../src/tcp/random.js';

describe('TimerQueue', () => {
  test('empty queue → no deadline, popDue returns undefined', () => {
    const q = new TimerQueue<string>();
    assert.equal(q.size, 0);
    assert.equal(q.peekDeadline(), undefined);
    assert.equal(q.popDue(1e9), undefined);
  });

  test('items with deadlines → popped in deadline order, ties in insertion order', () => {
    const q = new TimerQueue<string>();
    q.set('c', 30);
    q.set('a', 10);
    q.set('b', 10);
    q.set('d', 5);
    assert.equal(q.peekDeadline(), 5);
    const out: string[] = [];
    for (let x = q.popDue(100); x; x = q.popDue(100)) out.push(x);
    assert.deepEqual(out, ['d', 'a', 'b', 'c']);
  });

  test('popDue(now) → only items due at or before now', () => {
    const q = new TimerQueue<number>();
    q.set(1, 10);
    q.set(2, 20);
    assert.equal(q.popDue(9), undefined);
    assert.equal(q.popDue(10), 1);
    assert.equal(q.popDue(19), undefined);
    assert.equal(q.size, 1);
  });

  test('set on an existing item → moved, not duplicated; delete → gone', () => {
    const q = new TimerQueue<string>();
    q.set('a', 10);
    q.set('b', 20);
    q.set('a', 30);
    assert.equal(q.size, 2);
    assert.equal(q.peek(), 'b');
    assert.equal(q.deadlineOf('a'), 30);
    assert.equal(q.delete('b'), true);
    assert.equal(q.delete('b'), false);
    assert.equal(q.peek(), 'a');
  });

  test('10,000 random set/delete operations → always pops the true minimum', () => {
    const q = new TimerQueue<number>();
    const model = new Map<number, number>();
    const r = seededRandom(7);
    for (let i = 0; i < 10_000; i++) {
      const item = r.nextU32() % 500;
      if (r.next() < 0.3) {
        q.delete(item);
        model.delete(item);
      } else {
        const d = r.nextU32() % 1000;
        q.set(item, d);
        model.set(item, d);
      }
      assert.equal(q.size, model.size);
      const min = model.size ? Math.min(...model.values()) : undefined;
      assert.equal(q.peekDeadline(), min);
    }
    let last = -1;
    for (let x = q.popDue(Infinity); x !== undefined; x = q.popDue(Infinity)) {
      const d = model.get(x)!;
      assert.ok(d >= last);
      last = d;
      model.delete(x);
    }
    assert.equal(model.size, 0);
  });
});
