/**
 * Simulated time: now() only moves when the owner advances it, jumping straight to the next
 * deadline, so a 60-second TIME-WAIT costs one heap operation. Everything is deterministic: timers
 * due at the same instant run in the order they were scheduled.
 */
import type { Clock, TimerHandle } from './clock.js';
import { TimerQueue } from './timer-queue.js';

class VirtualTimer implements TimerHandle {
  heapSlot = -1;
  constructor(
    readonly at: number,
    readonly cb: () => void,
  ) {}
}

export interface RunLimit {
  /** Stop once virtual time would pass start + maxTime ms (default: no limit). */
  maxTime?: number;
  /** Stop after this many timer callbacks (default 10,000,000): a runaway loop ends, it never hangs. */
  maxSteps?: number;
}

export class VirtualClock implements Clock {
  readonly kind = 'virtual' as const;
  private t: number;
  private readonly timers = new TimerQueue<VirtualTimer>();

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  schedule(at: number, cb: () => void): TimerHandle {
    const timer = new VirtualTimer(Number.isFinite(at) ? at : this.t, cb);
    this.timers.set(timer, Math.max(timer.at, this.t));
    return timer;
  }

  cancel(handle: TimerHandle): void {
    if (handle instanceof VirtualTimer) this.timers.delete(handle);
  }

  /** Timers scheduled and not yet run or cancelled. */
  get pending(): number {
    return this.timers.size;
  }

  /** The earliest deadline, or undefined when nothing is scheduled. */
  nextDeadline(): number | undefined {
    return this.timers.peekDeadline();
  }

  /**
   * Jumps to the next deadline and runs every timer due then (including ones those timers schedule
   * for the same instant, bounded). Returns false when nothing was scheduled.
   */
  advance(): boolean {
    const next = this.timers.peekDeadline();
    if (next === undefined) return false;
    if (next > this.t) this.t = next;
    this.runDue(1_000_000);
    return true;
  }

  /** Moves time forward by `ms`, running every timer due on the way, in deadline order. */
  advanceBy(ms: number): void {
    this.advanceTo(this.t + ms);
  }

  advanceTo(target: number): void {
    let guard = 10_000_000;
    for (;;) {
      const next = this.timers.peekDeadline();
      if (next === undefined || next > target) break;
      if (next > this.t) this.t = next;
      this.runOne();
      if (--guard <= 0) throw new Error('VirtualClock.advanceTo: more than 10,000,000 timers ran');
    }
    if (target > this.t) this.t = target;
  }

  /**
   * Runs until no timer is left, or a limit is reached. Returns true when idle (nothing pending),
   * false when a limit stopped it.
   */
  runUntilIdle(limit: RunLimit = {}): boolean {
    const end = limit.maxTime === undefined ? Infinity : this.t + limit.maxTime;
    let steps = limit.maxSteps ?? 10_000_000;
    for (;;) {
      const next = this.timers.peekDeadline();
      if (next === undefined) return true;
      if (next > end) return false;
      if (steps-- <= 0) return false;
      if (next > this.t) this.t = next;
      this.runOne();
    }
  }

  private runDue(bound: number): void {
    while (bound-- > 0) {
      const d = this.timers.peekDeadline();
      if (d === undefined || d > this.t) return;
      this.runOne();
    }
  }

  private runOne(): void {
    const timer = this.timers.popDue(this.t);
    if (timer) timer.cb();
  }
}
