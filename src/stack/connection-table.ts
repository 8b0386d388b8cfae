/**
 * The stack's connections by 4-tuple (RFC 9293 §3.3.1: a connection is named by its pair of
 * sockets). Keyed first by the port pair as one number — no string is built per packet or kept
 * per connection — then by the two addresses, compared as strings (the wire codec hands out the
 * same cached string objects for IPv4 addresses, so the comparison is usually a pointer check).
 * A bucket holds one connection, or an array when several address pairs share a port pair (many
 * clients using the same source port number towards one server port).
 */
import type { TcpConnection } from './tcp-connection.js';

type Bucket = TcpConnection | TcpConnection[];

/**
 * Both 16-bit ports in one signed 32-bit integer: a small integer (Smi) for V8, where
 * localPort * 65536 + remotePort would be a boxed 16-byte heap number for every local port from
 * 32768 up (most ephemeral ports) — one more allocation per connection in the Map.
 */
function portKey(localPort: number, remotePort: number): number {
  return (localPort << 16) | (remotePort & 0xffff);
}

function matches(c: TcpConnection, la: string, ra: string): boolean {
  const t = c.tuple;
  return t.localAddress === la && t.remoteAddress === ra;
}

export class ConnectionTable {
  readonly #buckets = new Map<number, Bucket>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(la: string, lp: number, ra: string, rp: number): TcpConnection | undefined {
    const b = this.#buckets.get(portKey(lp, rp));
    if (b === undefined) return undefined;
    if (!Array.isArray(b)) return matches(b, la, ra) ? b : undefined;
    for (const c of b) if (matches(c, la, ra)) return c;
    return undefined;
  }

  has(la: string, lp: number, ra: string, rp: number): boolean {
    return this.get(la, lp, ra, rp) !== undefined;
  }

  /** Adds `c` under its tuple; the caller has checked the tuple is free. */
  add(c: TcpConnection): void {
    const t = c.tuple;
    const k = portKey(t.localPort, t.remotePort);
    const b = this.#buckets.get(k);
    if (b === undefined) this.#buckets.set(k, c);
    else if (Array.isArray(b)) b.push(c);
    else this.#buckets.set(k, [b, c]);
    this.#size++;
  }

  /** Removes `c` (this very object); false if it was not in the table. */
  delete(c: TcpConnection): boolean {
    const t = c.tuple;
    const k = portKey(t.localPort, t.remotePort);
    const b = this.#buckets.get(k);
    if (b === undefined) return false;
    if (!Array.isArray(b)) {
      if (b !== c) return false;
      this.#buckets.delete(k);
    } else {
      const i = b.indexOf(c);
      if (i < 0) return false;
      b.splice(i, 1);
      if (b.length === 1) this.#buckets.set(k, b[0]!);
    }
    this.#size--;
    return true;
  }

  *values(): IterableIterator<TcpConnection> {
    for (const b of this.#buckets.values()) {
      if (Array.isArray(b)) yield* b;
      else yield b;
    }
  }
}
