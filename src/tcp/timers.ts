/**
 * The connection's timer table: one deadline per timer name, never one timer per segment (RFC 6298
 * §5 keeps a single retransmission timer; the others are single-shot by nature). The owner asks for
 * the earliest deadline (pollTimeout) and hands back control at that time (handleTimeout).
 */
import type { TimerName } from './events.js';

/**
 * The order in which timers that are due at the same instant run: the ones that end the
 * connection first, then retransmission before the probes, and the delayed ACK last so that it can
 * ride on whatever the others send.
 */
const ORDER: readonly TimerName[] = [
  'time-wait',
  'fin-wait-2',
  'user-timeout',
  'retransmit',
  'persist',
  'keepalive',
  'delayed-ack',
];

/**
 * One field per timer, undefined while it does not run, rather than a Map: an empty Map's hash
 * table alone costs ~190 bytes, more than all seven fields (an idle connection runs no timer, and
 * a server holds many of them). Names are compile-time constants at every call site, so the
 * switches fold away once V8 inlines these methods.
 */
export class TimerTable {
  #timeWait: number | undefined = undefined;
  #finWait2: number | undefined = undefined;
  #userTimeout: number | undefined = undefined;
  #retransmit: number | undefined = undefined;
  #persist: number | undefined = undefined;
  #keepalive: number | undefined = undefined;
  #delayedAck: number | undefined = undefined;

  /**
   * A table with no timer running: one that a connection let go (see release), else a new one.
   * Connections let their table go whenever no timer runs (so that an idle one holds none) and
   * make one again at the next set, several times in a short connection's life.
   */
  static take(): TimerTable {
    return FREE.pop() ?? new TimerTable();
  }

  /**
   * The owner lets go of `t` and never touches it again; its timers are stopped and it may be
   * handed out again by take(). The tables are private to their connection, so no one else can
   * still hold it.
   */
  static release(t: TimerTable): void {
    if (FREE.length >= MAX_FREE) return;
    t.clearAll();
    FREE.push(t);
  }

  set(name: TimerName, at: number): void {
    TimerTable.#put(this, name, at);
  }

  clear(name: TimerName): void {
    TimerTable.#put(this, name, undefined);
  }

  clearAll(): void {
    this.#timeWait = undefined;
    this.#finWait2 = undefined;
    this.#userTimeout = undefined;
    this.#retransmit = undefined;
    this.#persist = undefined;
    this.#keepalive = undefined;
    this.#delayedAck = undefined;
  }

  get(name: TimerName): number | undefined {
    switch (name) {
      case 'time-wait':
        return this.#timeWait;
      case 'fin-wait-2':
        return this.#finWait2;
      case 'user-timeout':
        return this.#userTimeout;
      case 'retransmit':
        return this.#retransmit;
      case 'persist':
        return this.#persist;
      case 'keepalive':
        return this.#keepalive;
      case 'delayed-ack':
        return this.#delayedAck;
    }
  }

  isSet(name: TimerName): boolean {
    return this.get(name) !== undefined;
  }

  /** The earliest deadline, or undefined when no timer runs. */
  earliest(): number | undefined {
    let min = earlier(undefined, this.#timeWait);
    min = earlier(min, this.#finWait2);
    min = earlier(min, this.#userTimeout);
    min = earlier(min, this.#retransmit);
    min = earlier(min, this.#persist);
    min = earlier(min, this.#keepalive);
    return earlier(min, this.#delayedAck);
  }

  /** Removes and returns the first due timer (deadline <= now) in ORDER, if any. */
  takeDue(now: number): TimerName | undefined {
    for (const name of ORDER) {
      const at = this.get(name);
      if (at !== undefined && at <= now) {
        this.clear(name);
        return name;
      }
    }
    return undefined;
  }

  /** Names and deadlines of the running timers, in ORDER (for tests and the tracer). */
  entries(): Array<[TimerName, number]> {
    return ORDER.flatMap((n): Array<[TimerName, number]> => {
      const at = this.get(n);
      return at === undefined ? [] : [[n, at]];
    });
  }

  /** Static: a private instance method would cost every instance a field (its class brand). */
  static #put(t: TimerTable, name: TimerName, at: number | undefined): void {
    switch (name) {
      case 'time-wait':
        t.#timeWait = at;
        return;
      case 'fin-wait-2':
        t.#finWait2 = at;
        return;
      case 'user-timeout':
        t.#userTimeout = at;
        return;
      case 'retransmit':
        t.#retransmit = at;
        return;
      case 'persist':
        t.#persist = at;
        return;
      case 'keepalive':
        t.#keepalive = at;
        return;
      case 'delayed-ack':
        t.#delayedAck = at;
        return;
    }
  }
}

/** Tables let go and not yet taken again (a few: as many as connections busy at once, bounded). */
const FREE: TimerTable[] = [];
const MAX_FREE = 256;

function earlier(min: number | undefined, at: number | undefined): number | undefined {
  return at !== undefined && (min === undefined || at < min) ? at : min;
}
