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

/** One map of port pair → bucket (the table keeps two: see ConnectionTable). */
class PortMap {
  readonly buckets = new Map<number, Bucket>();
  size = 0;

  get(la: string, lp: number, ra: string, rp: number): TcpConnection | undefined {
    const b = this.buckets.get(portKey(lp, rp));
    if (b === undefined) return undefined;
    if (!Array.isArray(b)) return matches(b, la, ra) ? b : undefined;
    for (const c of b) if (matches(c, la, ra)) return c;
    return undefined;
  }

  add(c: TcpConnection): void {
    const t = c.tuple;
    const k = portKey(t.localPort, t.remotePort);
    const b = this.buckets.get(k);
    if (b === undefined) this.buckets.set(k, c);
    else if (Array.isArray(b)) b.push(c);
    else this.buckets.set(k, [b, c]);
    this.size++;
  }

  delete(c: TcpConnection): boolean {
    const t = c.tuple;
    const k = portKey(t.localPort, t.remotePort);
    const b = this.buckets.get(k);
    if (b === undefined) return false;
    if (!Array.isArray(b)) {
      if (b !== c) return false;
      this.buckets.delete(k);
    } else {
      const i = b.indexOf(c);
      if (i < 0) return false;
      b.splice(i, 1);
      if (b.length === 1) this.buckets.set(k, b[0]!);
    }
    this.size--;
    return true;
  }

  *values(): IterableIterator<TcpConnection> {
    for (const b of this.buckets.values()) {
      if (Array.isArray(b)) yield* b;
      else yield b;
    }
  }
}

/**
 * Connections in TIME-WAIT are kept apart from the rest: at a high connection rate they outnumber
 * the live ones by far (2·MSL of them: ~50,000 against a few hundred in the connection-rate
 * benchmark), and every segment of a live connection is looked up — in a small map that stays in
 * the processor's cache, rather than in one that mostly holds connections which only wait.
 * Lookups try the live map first; a 4-tuple is in at most one of the two.
 */
export class ConnectionTable {
  readonly #live = new PortMap();
  readonly #timeWait = new PortMap();

  get size(): number {
    return this.#live.size + this.#timeWait.size;
  }

  get(la: string, lp: number, ra: string, rp: number): TcpConnection | undefined {
    return this.#live.get(la, lp, ra, rp) ?? this.#timeWait.get(la, lp, ra, rp);
  }

  has(la: string, lp: number, ra: string, rp: number): boolean {
    return this.get(la, lp, ra, rp) !== undefined;
  }

  /** Adds `c` under its tuple; the caller has checked the tuple is free. */
  add(c: TcpConnection): void {
    this.#live.add(c);
  }

  /** `c` entered TIME-WAIT (RFC 9293 §3.10.7.4): it moves to the waiting map. */
  retire(c: TcpConnection): void {
    if (this.#live.delete(c)) this.#timeWait.add(c);
  }

  /** Removes `c` (this very object); false if it was not in the table. */
  delete(c: TcpConnection): boolean {
    return this.#live.delete(c) || this.#timeWait.delete(c);
  }

  *values(): IterableIterator<TcpConnection> {
    yield* this.#live.values();
    yield* this.#timeWait.values();
  }
}
