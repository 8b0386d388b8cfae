import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RealClock, VirtualClock } from '../../src/stack/clock.js';

describe('VirtualClock', () => {
  test('new clock → now 0, nothing pending, advance returns false', { timeout: 60_000 }, () => {
    const c = new VirtualClock();
    assert.equal(c.now(), 0);
    assert.equal(c.pending, 0);
    assert.equal(c.advance(), false);
  });

  test(
    'advance → jumps to the next deadline and runs everything due then, in order',
    { timeout: 60_000 },
    () => {
      const c = new VirtualClock();
      const log: string[] = [];
      c.schedule(100, () => log.push(`b@${c.now()}`));
      c.schedule(50, () => log.push(`a@${c.now()}`));
      c.schedule(100, () => log.push(`c@${c.now()}`));
      assert.equal(c.pending, 3);
      assert.equal(c.advance(), true);
      assert.deepEqual(log, ['a@50']);
      assert.equal(c.advance(), true);
      assert.deepEqual(log, ['a@50', 'b@100', 'c@100']);
      assert.equal(c.pending, 0);
    },
  );

  test(
    'a timer scheduled in the past → runs at the current time on the next advance',
    { timeout: 60_000 },
    () => {
      const c = new VirtualClock(1000);
      let at = -1;
      c.schedule(10, () => (at = c.now()));
      c.advance();
      assert.equal(at, 1000);
    },
  );

  test('cancel → the callback never runs', { timeout: 60_000 }, () => {
    const c = new VirtualClock();
    let ran = false;
    const h = c.schedule(10, () => (ran = true));
    c.cancel(h);
    assert.equal(c.pending, 0);
    assert.equal(c.runUntilIdle(), true);
    assert.equal(ran, false);
  });

  test(
    'advanceBy → runs due timers and lands exactly on the target time',
    { timeout: 60_000 },
    () => {
      const c = new VirtualClock();
      const seen: number[] = [];
      c.schedule(10, () => seen.push(c.now()));
      c.schedule(30, () => seen.push(c.now()));
      c.advanceBy(20);
      assert.deepEqual(seen, [10]);
      assert.equal(c.now(), 20);
    },
  );

  test(
    'runUntilIdle on a self-rescheduling timer → stops at the step limit, returns false',
    { timeout: 60_000 },
    () => {
      const c = new VirtualClock();
      let n = 0;
      const tick = (): void => {
        n++;
        c.schedule(c.now() + 1, tick);
      };
      c.schedule(0, tick);
      assert.equal(c.runUntilIdle({ maxSteps: 1000 }), false);
      assert.equal(n, 1000);
      assert.equal(c.runUntilIdle({ maxTime: 50 }), false);
      assert.equal(c.now() <= 1000 + 50, true);
    },
  );
});

describe('RealClock', () => {
  test(
    'schedule → callbacks run in deadline order, one host timer at a time',
    { timeout: 60_000 },
    async () => {
      const c = new RealClock();
      const order: number[] = [];
      const done = new Promise<void>((resolve) => {
        c.schedule(c.now() + 20, () => {
          order.push(2);
          resolve();
        });
      });
      c.schedule(c.now() + 5, () => order.push(1));
      c.schedule(c.now() - 5, () => order.push(0));
      assert.equal(c.pending, 3);
      await done;
      assert.deepEqual(order, [0, 1, 2]);
      assert.equal(c.pending, 0);
    },
  );

  test(
    'cancel → the callback never runs and the clock holds no timer',
    { timeout: 60_000 },
    async () => {
      const c = new RealClock();
      let ran = false;
      const h = c.schedule(c.now() + 5, () => (ran = true));
      c.cancel(h);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(ran, false);
      assert.equal(c.pending, 0);
    },
  );

  test('now() → non-decreasing milliseconds from the start', { timeout: 60_000 }, () => {
    const c = new RealClock();
    const a = c.now();
    const b = c.now();
    assert.ok(a >= 0 && b >= a);
  });

  test(
    'now() → one reading per synchronous run; refresh() or a microtask reads the host again',
    { timeout: 60_000 },
    async () => {
      const c = new RealClock();
      const a = c.now();
      const until = performance.now() + 2;
      while (performance.now() < until) {
        // the host clock moves on; the cached reading does not
      }
      assert.equal(c.now(), a);
      c.refresh();
      const b = c.now();
      assert.ok(b >= a + 2, `${b} ≥ ${a} + 2`);
      const until2 = performance.now() + 2;
      while (performance.now() < until2) {
        // again, then let the microtask that expires the reading run
      }
      await Promise.resolve();
      assert.ok(c.now() >= b + 2);
    },
  );
});
