/**
 * Listening sockets by (local address, port). A listener bound to a wildcard covers every address
 * of its family: '0.0.0.0' every IPv4 address, '::' every address (dual-stack, as Linux binds `::`
 * by default). An arriving SYN goes to the most specific listener (exact address first).
 */
import { ANY4, ANY6, family } from './addresses.js';
import type { TcpListener } from './tcp-listener.js';

export function listenerKey(address: string, port: number): string {
  return `${address}|${port}`;
}

export class ListenerTable {
  readonly #byKey = new Map<string, TcpListener>();
  /**
   * The same listeners by port (a port rarely has more than one): the per-connection lookups
   * (busy for every ephemeral port tried, find for every SYN) build no key string.
   */
  readonly #byPort = new Map<number, TcpListener[]>();

  get size(): number {
    return this.#byKey.size;
  }

  add(l: TcpListener): void {
    const old = this.#byKey.get(l.key);
    if (old) this.delete(old);
    this.#byKey.set(l.key, l);
    const list = this.#byPort.get(l.port);
    if (list) list.push(l);
    else this.#byPort.set(l.port, [l]);
  }

  delete(l: TcpListener): void {
    if (this.#byKey.get(l.key) !== l) return;
    this.#byKey.delete(l.key);
    const list = this.#byPort.get(l.port);
    if (!list) return;
    const i = list.indexOf(l);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#byPort.delete(l.port);
  }

  values(): IterableIterator<TcpListener> {
    return this.#byKey.values();
  }

  /** A listener holds `port` on `address` (exactly, through a wildcard covering it, or — for a wildcard — on an address it covers). */
  busy(address: string, port: number): boolean {
    const list = this.#byPort.get(port);
    if (list === undefined) return false;
    const v4 = address === ANY4 || family(address) === 4;
    for (const l of list) {
      const a = l.address;
      if (a === address || a === ANY6 || (v4 && a === ANY4)) return true;
      if (address === ANY6 || (address === ANY4 && family(a) === 4)) return true;
    }
    return false;
  }

  /** The listener a segment to `dst`:`port` reaches, if any. */
  find(dst: string, port: number): TcpListener | undefined {
    const list = this.#byPort.get(port);
    if (list === undefined) return undefined;
    let any4: TcpListener | undefined;
    let any6: TcpListener | undefined;
    for (const l of list) {
      const a = l.address;
      if (a === dst) return l;
      if (a === ANY4) any4 = l;
      else if (a === ANY6) any6 = l;
    }
    return (any4 !== undefined && family(dst) === 4 ? any4 : undefined) ?? any6;
  }
}
