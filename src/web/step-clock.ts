/**
 * The page's clock: virtual time that moves only when the page says so, one timer callback at a
 * time, so that "step" in the visualizer is exactly one event (a packet delivered, a timer fired)
 * and "play" is time advanced by real elapsed time × speed. It is a `Clock` like VirtualClock
 * (src/stack), with the same deterministic ordering (the stack's TimerQueue: ties run in the order
 * they were scheduled), so a run replays identically from the same seed and commands.
 */
import type { Clock, TimerHandle } from '../stack/clock.js';
import { TimerQueue } from '../stack/timer-queue.js';

class StepTimer implements TimerHandle {
  /** The queue's bookkeeping (TimerQueueItem). */
  heapSlot = -1;
  constructor(
    readonly at: number,
    readonly cb: () => void,
  ) {}
}

export class StepClock implements Clock {
  readonly kind = 'virtual' as const;
  private t = 0;
  private readonly timers = new TimerQueue<StepTimer>();
  /** Timer callbacks run so far: the position of a command in a replayable run. */
  steps = 0;

  now(): number {
    return this.t;
  }

  schedule(at: number, cb: () => void): TimerHandle {
    const timer = new StepTimer(Number.isFinite(at) ? at : this.t, cb);
    this.timers.set(timer, Math.max(timer.at, this.t));
    return timer;
  }

  cancel(handle: TimerHandle): void {
    if (handle instanceof StepTimer) this.timers.delete(handle);
  }

  get pending(): number {
    return this.timers.size;
  }

  nextDeadline(): number | undefined {
    return this.timers.peekDeadline();
  }

  /** Runs exactly one timer (jumping to its deadline). False when nothing is scheduled. */
  step(): boolean {
    const next = this.timers.peekDeadline();
    if (next === undefined) return false;
    if (next > this.t) this.t = next;
    const timer = this.timers.popDue(this.t);
    if (!timer) return false;
    this.steps++;
    timer.cb();
    return true;
  }

  /**
   * Runs every timer due up to `target`, then sets now() to target. At most `maxSteps` callbacks:
   * returns false if that bound stopped it (time then stays at the last timer run).
   */
  advanceTo(target: number, maxSteps = 100_000): boolean {
    for (let n = 0; ; n++) {
      const next = this.timers.peekDeadline();
      if (next === undefined || next > target) break;
      if (n >= maxSteps) return false;
      this.step();
    }
    if (target > this.t) this.t = target;
    return true;
  }
}
