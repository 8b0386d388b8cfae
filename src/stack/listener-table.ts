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

  get size(): number {
    return this.#byKey.size;
  }

  add(l: TcpListener): void {
    this.#byKey.set(l.key, l);
  }

  delete(l: TcpListener): void {
    if (this.#byKey.get(l.key) === l) this.#byKey.delete(l.key);
  }

  values(): IterableIterator<TcpListener> {
    return this.#byKey.values();
  }

  /** A listener holds `port` on `address` (exactly, through a wildcard covering it, or — for a wildcard — on an address it covers). */
  busy(address: string, port: number): boolean {
    const m = this.#byKey;
    if (m.has(listenerKey(address, port)) || m.has(listenerKey(ANY6, port))) return true;
    const v4 = address === ANY4 || family(address) === 4;
    if (v4 && m.has(listenerKey(ANY4, port))) return true;
    if (address === ANY6 || address === ANY4) {
      for (const l of m.values()) {
        if (l.port !== port) continue;
        if (address === ANY6 || family(l.address) === 4) return true;
      }
    }
    return false;
  }

  /** The listener a segment to `dst`:`port` reaches, if any. */
  find(dst: string, port: number): TcpListener | undefined {
    const m = this.#byKey;
    return (
      m.get(listenerKey(dst, port)) ??
      (family(dst) === 4 ? m.get(listenerKey(ANY4, port)) : undefined) ??
      m.get(listenerKey(ANY6, port))
    );
  }
}
