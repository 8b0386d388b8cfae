import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StepClock } from '../../src/web/step-clock.js';

describe('StepClock', () => {
  test('three timers, two at the same instant → step runs exactly one each time, in schedule order', () => {
    const c = new StepClock();
    const ran: string[] = [];
    c.schedule(10, () => ran.push('a'));
    c.schedule(5, () => ran.push('b'));
    c.schedule(10, () => ran.push('c'));
    assert.equal(c.step(), true);
    assert.deepEqual([ran, c.now(), c.steps], [['b'], 5, 1]);
    assert.equal(c.step(), true);
    assert.deepEqual([ran, c.now()], [['b', 'a'], 10]);
    assert.equal(c.step(), true);
    assert.deepEqual(ran, ['b', 'a', 'c']);
    assert.equal(c.step(), false);
    assert.equal(c.steps, 3);
  });

  test('advanceTo between deadlines → runs the due ones, time lands on the target', () => {
    const c = new StepClock();
    const ran: number[] = [];
    for (const at of [1, 2, 50]) c.schedule(at, () => ran.push(at));
    assert.equal(c.advanceTo(20), true);
    assert.deepEqual(ran, [1, 2]);
    assert.equal(c.now(), 20);
    assert.equal(c.nextDeadline(), 50);
  });

  test('a timer that reschedules itself forever → advanceTo stops at its step bound', () => {
    const c = new StepClock();
    const loop = (): void => void c.schedule(c.now(), loop);
    c.schedule(0, loop);
    assert.equal(c.advanceTo(1, 1000), false);
    assert.equal(c.steps, 1000);
  });

  test('cancelled timer → never runs; a timer in the past → runs at now', () => {
    const c = new StepClock();
    c.advanceTo(100);
    let ran = 0;
    const t = c.schedule(150, () => ran++);
    c.cancel(t);
    c.schedule(3, () => (ran += 10));
    c.advanceTo(200);
    assert.equal(ran, 10);
  });
});
