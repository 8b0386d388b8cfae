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

export class TimerTable {
  readonly #deadlines = new Map<TimerName, number>();

  set(name: TimerName, at: number): void {
    this.#deadlines.set(name, at);
  }

  clear(name: TimerName): void {
    this.#deadlines.delete(name);
  }

  clearAll(): void {
    this.#deadlines.clear();
  }

  get(name: TimerName): number | undefined {
    return this.#deadlines.get(name);
  }

  isSet(name: TimerName): boolean {
    return this.#deadlines.has(name);
  }

  /** The earliest deadline, or undefined when no timer runs. */
  earliest(): number | undefined {
    let min: number | undefined;
    for (const at of this.#deadlines.values()) if (min === undefined || at < min) min = at;
    return min;
  }

  /** Removes and returns the first due timer (deadline <= now) in ORDER, if any. */
  takeDue(now: number): TimerName | undefined {
    for (const name of ORDER) {
      const at = this.#deadlines.get(name);
      if (at !== undefined && at <= now) {
        this.#deadlines.delete(name);
        return name;
      }
    }
    return undefined;
  }

  /** Names and deadlines of the running timers (for tests and the tracer). */
  entries(): Array<[TimerName, number]> {
    return ORDER.flatMap((n): Array<[TimerName, number]> => {
      const at = this.#deadlines.get(n);
      return at === undefined ? [] : [[n, at]];
    });
  }
}
