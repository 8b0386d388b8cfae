/**
 * Two Connections wired back to back (in the manner of quinn-proto's test Pair): what one sends
 * arrives at the other after `delay` ms of virtual time; time jumps straight to the next arrival or
 * timer deadline. Hooks drop, duplicate or delay chosen segments. Everything is bounded: run()
 * stops after a number of steps and a span of virtual time, whichever comes first.
 */
import { createHash } from 'node:crypto';
import { Connection } from '../../src/tcp/connection.js';
import type { TcpConfig } from '../../src/tcp/config.js';
import type { ConnEvent } from '../../src/tcp/events.js';
import { seq } from '../../src/wire/seqnum.js';
import type { TcpSegment } from '../../src/wire/tcp-segment.js';
import { recordState, testConfig } from './helpers.js';

export type Side = 'a' | 'b';

/** What a hook decides for one segment: deliver (undefined), drop, duplicate, or add delay (ms). */
export type Verdict = undefined | 'drop' | 'dup' | { delay: number };

export interface PairOptions {
  a?: Partial<TcpConfig>;
  b?: Partial<TcpConfig>;
  issA?: number;
  issB?: number;
  /** One-way delay in ms (default 10). */
  delay?: number;
  /** Read everything readable after every step (default true). */
  autoRead?: boolean;
  /** Installed before the first segment is sent. */
  hook?: (from: Side, seg: TcpSegment, index: number) => Verdict;
  /** b listens (default) or connects too (simultaneous open). */
  simultaneous?: boolean;
}

interface InFlight {
  at: number;
  to: Side;
  seg: TcpSegment;
  order: number;
}

export interface Sent {
  t: number;
  from: Side;
  seg: TcpSegment;
  verdict: Verdict;
}

export class Pair {
  now = 0;
  readonly a: Connection;
  readonly b: Connection;
  readonly delay: number;
  /** Read everything readable after every step, per side. */
  readonly autoRead: Record<Side, boolean>;
  hook: ((from: Side, seg: TcpSegment, index: number) => Verdict) | undefined;
  readonly sent: Sent[] = [];
  readonly events: Record<Side, ConnEvent[]> = { a: [], b: [] };
  readonly received: Record<Side, Uint8Array[]> = { a: [], b: [] };
  #inflight: InFlight[] = [];
  #order = 0;
  #sentCount: Record<Side, number> = { a: 0, b: 0 };

  constructor(opts: PairOptions = {}) {
    this.delay = opts.delay ?? 10;
    const auto = opts.autoRead ?? true;
    this.autoRead = { a: auto, b: auto };
    this.hook = opts.hook;
    this.a = Connection.connect({
      config: testConfig(opts.a),
      localPort: 40000,
      remotePort: 80,
      iss: seq(opts.issA ?? 1000),
      now: 0,
    });
    const bOpts = {
      config: testConfig(opts.b),
      localPort: 80,
      remotePort: opts.simultaneous ? 40000 : 0,
      iss: seq(opts.issB ?? 5000),
      now: 0,
    };
    this.b = opts.simultaneous ? Connection.connect(bOpts) : Connection.listen(bOpts);
    this.flush();
  }

  conn(side: Side): Connection {
    return side === 'a' ? this.a : this.b;
  }

  /** Drains both sides' output and events (call after any command). */
  flush(): void {
    for (const side of ['a', 'b'] as const) {
      const c = this.conn(side);
      for (let i = 0; i < 100_000; i++) {
        const s = c.pollTransmit(this.now);
        if (s === undefined) break;
        const index = this.#sentCount[side]++;
        const verdict = this.hook?.(side, s, index);
        this.sent.push({ t: this.now, from: side, seg: s, verdict });
        if (verdict === 'drop') continue;
        const to: Side = side === 'a' ? 'b' : 'a';
        const extra = typeof verdict === 'object' ? verdict.delay : 0;
        this.#inflight.push({
          at: this.now + this.delay + extra,
          to,
          seg: s,
          order: this.#order++,
        });
        if (verdict === 'dup') {
          this.#inflight.push({ at: this.now + this.delay, to, seg: s, order: this.#order++ });
        }
      }
      for (let i = 0; i < 100_000; i++) {
        const e = c.pollEvent();
        if (e === undefined) break;
        recordState(e);
        this.events[side].push(e);
      }
      if (this.autoRead[side] && c.readableLength > 0)
        this.received[side].push(c.read(undefined, this.now));
    }
  }

  /** When the next arrival or timer is due, undefined when nothing is pending. */
  nextTime(): number | undefined {
    const times = [this.a.pollTimeout(), this.b.pollTimeout(), ...this.#inflight.map((x) => x.at)];
    const defined = times.filter((x): x is number => x !== undefined);
    return defined.length ? Math.max(this.now, Math.min(...defined)) : undefined;
  }

  /** One step: the next arrival or timer, whichever is first. False when nothing is pending. */
  step(): boolean {
    this.#inflight.sort((x, y) => x.at - y.at || x.order - y.order);
    const next = this.#inflight[0];
    const ta = this.a.pollTimeout();
    const tb = this.b.pollTimeout();
    const timers = [ta, tb].filter((x): x is number => x !== undefined);
    const tTimer = timers.length ? Math.min(...timers) : undefined;
    if (next === undefined && tTimer === undefined) return false;
    if (next !== undefined && (tTimer === undefined || next.at <= tTimer)) {
      this.#inflight.shift();
      this.now = Math.max(this.now, next.at);
      this.conn(next.to).handleSegment(next.seg, this.now);
    } else if (tTimer !== undefined) {
      this.now = Math.max(this.now, tTimer);
      if (ta !== undefined && ta <= this.now) this.a.handleTimeout(this.now);
      if (tb !== undefined && tb <= this.now) this.b.handleTimeout(this.now);
    }
    this.flush();
    return true;
  }

  /**
   * Steps until `until()` holds, nothing is pending, `maxSteps` steps ran, or the next step would
   * pass `maxTime` ms of virtual time from now (then time stops at that limit). Returns whether
   * `until` held (with no predicate: whether the pair went quiet).
   */
  run(until?: () => boolean, maxSteps = 200_000, maxTime = 24 * 3600 * 1000): boolean {
    const end = this.now + maxTime;
    for (let i = 0; i < maxSteps; i++) {
      if (until?.()) return true;
      const t = this.nextTime();
      if (t === undefined) return until === undefined ? true : until();
      if (t > end) {
        this.now = end;
        this.flush();
        return until?.() ?? false;
      }
      this.step();
    }
    return until?.() ?? false;
  }

  /** Runs everything due within the next `ms` milliseconds of virtual time. */
  advance(ms: number, maxSteps = 200_000): void {
    this.run(() => false, maxSteps, ms);
  }

  /** Steps until no segment is in flight (timers may still run), bounded. */
  settle(maxSteps = 100_000): void {
    for (let i = 0; i < maxSteps && this.#inflight.length > 0; i++) this.step();
  }

  get inflight(): number {
    return this.#inflight.length;
  }

  /** Writes all of `data` on `side`, running the pair whenever the send buffer is full. */
  sendAll(side: Side, data: Uint8Array, maxSteps = 1_000_000): void {
    let off = 0;
    for (let i = 0; i < maxSteps && off < data.length; i++) {
      off += this.conn(side).send(data.subarray(off), this.now);
      this.flush();
      if (off < data.length && !this.step()) break;
    }
    if (off < data.length) throw new Error(`sendAll: only ${off} of ${data.length} bytes taken`);
  }

  receivedBytes(side: Side): Uint8Array {
    const total = this.received[side].reduce((n, b) => n + b.length, 0);
    const out = new Uint8Array(total);
    let off = 0;
    for (const b of this.received[side]) {
      out.set(b, off);
      off += b.length;
    }
    return out;
  }

  segmentsFrom(side: Side): TcpSegment[] {
    return this.sent.filter((s) => s.from === side).map((s) => s.seg);
  }

  closedError(side: Side): string | undefined | null {
    const e = this.events[side].find((x) => x.type === 'closed');
    if (e === undefined || e.type !== 'closed') return null;
    return e.error?.code;
  }
}

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Deterministic pseudo-random bytes (xorshift32). */
export function pseudoRandomBytes(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
