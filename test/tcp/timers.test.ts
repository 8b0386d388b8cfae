import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { TimerTable } from '../../src/tcp/timers.js';

describe('TimerTable', () => {
  test('earliest deadline, due timers in ORDER, entries', () => {
    const t = TimerTable.take();
    assert.equal(t.earliest(), undefined);
    t.set('delayed-ack', 40);
    t.set('retransmit', 40);
    t.set('time-wait', 60_000);
    assert.equal(t.earliest(), 40);
    assert.deepEqual(t.entries(), [
      ['time-wait', 60_000],
      ['retransmit', 40],
      ['delayed-ack', 40],
    ]);
    assert.equal(t.takeDue(39), undefined);
    assert.equal(t.takeDue(40), 'retransmit', 'retransmission before the delayed ACK');
    assert.equal(t.takeDue(40), 'delayed-ack');
    assert.equal(t.takeDue(40), undefined);
    assert.equal(t.isSet('time-wait'), true);
  });

  test('a released table is handed out again by take() with no timer running', () => {
    const t = TimerTable.take();
    t.set('retransmit', 1000);
    t.set('keepalive', 7_200_000);
    TimerTable.release(t);
    const u = TimerTable.take();
    assert.equal(u, t, 'the same table, reused');
    assert.equal(u.earliest(), undefined);
    assert.deepEqual(u.entries(), []);
  });
});
