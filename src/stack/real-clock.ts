/**
 * Wall-clock time for stacks on real links (TUN) or a real-time simulation. now() is
 * performance.now() relative to the clock's start. However many timers are scheduled, at most ONE
 * host timer is armed, at the earliest deadline (a heap holds the rest); deadlines already due run
 * from setImmediate rather than setTimeout(0), which Node clamps to 1 ms.
 */
import type { Clock, TimerHandle } from './clock.js';
import { TimerQueue } from './timer-queue.js';

/**
 * The host's high-resolution clock, taken once: in Node the global `performance` is a lazy getter,
 * which every `performance.now()` would run again (~8 ns a read, a dozen reads a connection).
 */
const hostClock: { now(): number } = globalThis.performance;

/** Settled once: `.then` on it queues a microtask. */
const RESOLVED = Promise.resolve();

class RealTimer implements TimerHandle {
  heapSlot = -1;
  constructor(
    readonly at: number,
    readonly cb: () => void,
  ) {}
}

export interface RealClockOptions {
  /**
   * When true the host timer does not keep the process alive (Node's timer.unref()). Default false:
   * a pending retransmission or simulated packet must keep a program running until it is handled.
   */
  unref?: boolean;
}

export class RealClock implements Clock {
  readonly kind = 'real' as const;
  private readonly start = hostClock.now();
  private readonly timers = new TimerQueue<RealTimer>();
  private hostTimer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  private armedAt = Infinity;
  private readonly unref: boolean;
  /**
   * The cached time, undefined once expired. Not a number field with a validity flag: V8 would
   * keep a number-only field unboxed, and hand every reader a fresh heap number (~50 a connection,
   * each passed on to the engine); this one holds one boxed number that every reader shares.
   */
  private cachedNow: number | undefined = undefined;
  private expiryQueued = false;
  private readonly expire = (): void => {
    this.expiryQueued = false;
    this.cachedNow = undefined;
  };

  constructor(opts: RealClockOptions = {}) {
    this.unref = opts.unref ?? false;
  }

  /**
   * The time, read from the host once per synchronous run of work (the cache expires in a
   * microtask; a link may expire it per packet batch with refresh(), and the stack does at each
   * drain and user call, where user code may have run for a while): a connection's life asked the
   * host clock ~45 times, ~5 times per packet, for the same microsecond. libuv keeps its loop time
   * the same way (uv_now() is updated once per loop iteration).
   */
  now(): number {
    const cached = this.cachedNow;
    if (cached !== undefined) return cached;
    const t = hostClock.now() - this.start;
    this.cachedNow = t;
    if (!this.expiryQueued) {
      this.expiryQueued = true;
      // A promise reaction rather than queueMicrotask: the same microtask queue (same order),
      // without the AsyncResource and bound function Node's queueMicrotask makes per call.
      void RESOLVED.then(this.expire);
    }
    return t;
  }

  /** Forgets the cached time: the next now() reads the host clock (e.g. per delivered packet). */
  refresh(): void {
    this.cachedNow = undefined;
  }

  schedule(at: number, cb: () => void): TimerHandle {
    const timer = new RealTimer(Number.isFinite(at) ? at : 0, cb);
    this.timers.set(timer, timer.at);
    this.arm();
    return timer;
  }

  cancel(handle: TimerHandle): void {
    if (handle instanceof RealTimer && this.timers.delete(handle)) this.arm();
  }

  /** Timers scheduled and not yet run or cancelled. */
  get pending(): number {
    return this.timers.size;
  }

  /** Cancels every timer (the clock stays usable). */
  clear(): void {
    this.timers.clear();
    this.disarm();
  }

  private disarm(): void {
    if (this.hostTimer !== undefined) clearTimeout(this.hostTimer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.hostTimer = undefined;
    this.immediate = undefined;
    this.armedAt = Infinity;
  }

  /** Keeps exactly one host timer armed at the earliest deadline. */
  private arm(): void {
    const next = this.timers.nextAt();
    if (next === Infinity) {
      this.disarm();
      return;
    }
    // A host timer armed at or before the earliest deadline stays: firing early costs one wake-up
    // (fire() finds nothing due and re-arms), while clearing and re-arming a Node timer every time
    // the earliest deadline moves later (a connection's SYN timer replaced by its next one, many
    // times a millisecond at a high connection rate) costs a timer-list update each.
    if (next >= this.armedAt) return;
    this.disarm();
    this.armedAt = next;
    const delay = next - this.now();
    if (delay <= 0) {
      this.immediate = setImmediate(() => this.fire());
      if (this.unref) this.immediate.unref();
    } else {
      // setTimeout fires early by up to a millisecond's rounding; fire() re-arms if so.
      this.hostTimer = setTimeout(() => this.fire(), Math.ceil(delay));
      if (this.unref) this.hostTimer.unref();
    }
  }

  private fire(): void {
    this.hostTimer = undefined;
    this.immediate = undefined;
    this.armedAt = Infinity;
    this.cachedNow = undefined;
    const now = this.now();
    // Run what is due now; timers scheduled by callbacks for "now" run on the next turn, so a
    // callback that reschedules itself cannot starve the event loop.
    const due: RealTimer[] = [];
    for (let t = this.timers.popDue(now); t; t = this.timers.popDue(now)) due.push(t);
    let failure: { error: unknown } | undefined;
    for (const t of due) {
      try {
        t.cb();
      } catch (error) {
        failure ??= { error };
      }
    }
    this.arm();
    if (failure) throw failure.error;
  }
}
