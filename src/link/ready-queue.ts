/**
 * SimNetwork's packets that are due the moment they are sent (a zero-delay path on a real clock),
 * in send order, delivered from one microtask after the sender's synchronous work instead of one
 * host-timer hop (setImmediate) each — a connection's handshake, echo and close then run in one
 * turn of the event loop rather than idling between eight of them. Parallel arrays: no object per
 * packet.
 *
 * At most READY_BUDGET packets are delivered per turn of the event loop, counted over all its
 * microtasks (an application answering from promise continuations chains microtasks without end;
 * a per-microtask budget would never let timers, I/O or setImmediate run). Past it the rest wait
 * where they are, in order — packets queued meanwhile go behind them — until the turn ends (one
 * setImmediate, armed when the first packet of a turn is queued).
 */
import type { RxMeta } from '../stack/link-offload.js';

/** Packets delivered in one turn of the event loop before the rest wait for the next. */
export const READY_BUDGET = 1024;

/** Settled once: `.then` on it queues a microtask. */
const RESOLVED = Promise.resolve();

export class ReadyQueue<To> {
  readonly #to: (To | undefined)[] = [];
  readonly #bytes: (Uint8Array | undefined)[] = [];
  readonly #meta: (RxMeta | undefined)[] = [];
  #head = 0;
  #tail = 0;
  /** A microtask is queued to deliver, the delivery loop is running, or packets wait (#parked). */
  #busy = false;
  /** The budget ran out with packets still queued: they wait, in order, for #turnEnd. */
  #parked = false;
  /** Packets delivered in this turn of the event loop (reset by #turnEnd). */
  #thisTurn = 0;
  #turnEnd: ReturnType<typeof setImmediate> | undefined;
  readonly #runBound = (): void => this.#run();
  readonly #endTurnBound = (): void => {
    this.#turnEnd = undefined;
    this.#thisTurn = 0;
    if (this.#parked) {
      this.#parked = false;
      this.#run();
    }
  };

  /**
   * `deliver` hands one packet on (it may queue more: they go behind); `beforeBurst` runs before
   * each run of deliveries.
   */
  constructor(
    private readonly deliver: (to: To, bytes: Uint8Array, meta: RxMeta | undefined) => void,
    private readonly beforeBurst: () => void,
  ) {}

  /** Packets queued and not yet delivered. */
  get size(): number {
    return this.#tail - this.#head;
  }

  /** Queues a packet behind every one queued before it; its delivery is then on its way. */
  push(to: To, bytes: Uint8Array, meta: RxMeta | undefined): void {
    this.#to[this.#tail] = to;
    this.#meta[this.#tail] = meta;
    this.#bytes[this.#tail++] = bytes;
    this.#turnEnd ??= setImmediate(this.#endTurnBound);
    if (!this.#busy) {
      this.#busy = true;
      // A promise reaction rather than queueMicrotask: the same microtask queue, without the
      // AsyncResource and bound function Node's queueMicrotask makes per call (once per burst of
      // packets: a few per connection). #run reports its own exceptions.
      void RESOLVED.then(this.#runBound);
    }
  }

  /** Drops every queued packet and cancels the turn's timer. */
  clear(): void {
    this.#to.fill(undefined);
    this.#bytes.fill(undefined);
    this.#meta.fill(undefined);
    this.#head = 0;
    this.#tail = 0;
    if (this.#turnEnd !== undefined) clearImmediate(this.#turnEnd);
    this.#turnEnd = undefined;
    this.#parked = false;
    this.#busy = false;
  }

  /** Delivers the queued packets, and the ones those deliveries queue in turn, within the budget. */
  #run(): void {
    const to = this.#to;
    const bytes = this.#bytes;
    const metas = this.#meta;
    let parked = false;
    this.beforeBurst();
    try {
      while (this.#head < this.#tail) {
        if (this.#thisTurn >= READY_BUDGET) {
          parked = true;
          break;
        }
        const i = this.#head++;
        const t = to[i]!;
        const b = bytes[i]!;
        const meta = metas[i];
        // Slots are cleared, never the array truncated (length = 0 would free its store).
        to[i] = undefined;
        bytes[i] = undefined;
        metas[i] = undefined;
        this.#thisTurn++;
        this.deliver(t, b, meta);
      }
    } catch (err) {
      // Run from a promise reaction: rethrown from a microtask of its own, so that it is an
      // uncaught exception as it was under queueMicrotask, not a rejected promise.
      queueMicrotask(() => {
        throw err;
      });
    } finally {
      if (parked) {
        // Still busy: no microtask until the turn's end delivers the rest (#endTurnBound). The
        // waiting packets move to the front: a transfer that parks every turn never empties the
        // queue, which would otherwise only grow.
        const head = this.#head;
        const tail = this.#tail;
        to.copyWithin(0, head, tail);
        bytes.copyWithin(0, head, tail);
        metas.copyWithin(0, head, tail);
        to.fill(undefined, tail - head, tail);
        bytes.fill(undefined, tail - head, tail);
        metas.fill(undefined, tail - head, tail);
        this.#head = 0;
        this.#tail = tail - head;
        this.#parked = true;
        this.#turnEnd ??= setImmediate(this.#endTurnBound);
      } else if (this.#head < this.#tail) {
        // A delivery threw (a stack reports its own errors; this is a bug): keep the rest going.
        queueMicrotask(this.#runBound);
      } else {
        this.#busy = false;
        this.#head = 0;
        this.#tail = 0;
      }
    }
  }
}
