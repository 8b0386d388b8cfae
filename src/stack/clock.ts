/**
 * Time for the stack. The engine never reads a clock (time is a parameter); the stack asks its
 * Clock for `now()` and to call it back at a deadline. RealClock uses the host's timers;
 * VirtualClock jumps straight to the next deadline, so a simulated minute runs in milliseconds.
 */
export interface TimerHandle {
  readonly at: number;
}

export interface Clock {
  readonly kind: 'real' | 'virtual';
  /** Milliseconds since the clock started. */
  now(): number;
  /** Calls `cb` once when now() >= at. */
  schedule(at: number, cb: () => void): TimerHandle;
  cancel(handle: TimerHandle): void;
  /**
   * Forgets a cached now(), if the clock keeps one (RealClock: one host read per synchronous run of
   * work): the next now() reads the host clock. The stack calls it where user code may have spent
   * time since — at the start of a drain and at a user call.
   */
  refresh?(): void;
}

// The two implementations live in their own files; re-exported here so `Clock`, `RealClock` and
// `VirtualClock` can be imported from one place (ARCHITECTURE.md).
export { RealClock, type RealClockOptions } from './real-clock.js';
export { VirtualClock, type RunLimit } from './virtual-clock.js';
