/**
 * One side of a scenario's application: wraps a TcpConnection, keeps every byte it reads (so a
 * test can compare both ends), queues writes the send buffer cannot take yet (resumed on
 * 'writable'), and calls the scenario's hooks on data, end of stream, establishment and close.
 */
import type { TcpConnection } from '../stack/tcp-connection.js';
import type { ConnEvent, TcpError } from '../tcp/events.js';

export class Peer {
  conn: TcpConnection | undefined;
  readonly received: Uint8Array[] = [];
  receivedBytes = 0;
  /** Everything given to write(), in order (what the other side should read). */
  readonly written: Uint8Array[] = [];
  private pending: Uint8Array[] = [];
  private closeAfterWrites = false;
  /** Read as data arrives (false: leave it in the receive buffer, the window fills). */
  autoRead = true;
  peerFin = false;
  established = false;
  closedWith: TcpError | 'ok' | undefined;

  onData: ((total: number) => void) | undefined;
  onPeerFin: (() => void) | undefined;
  /** Data arrived while autoRead is off. */
  onUnread: (() => void) | undefined;
  onEstablished: (() => void) | undefined;
  onClosed: ((error: TcpError | undefined) => void) | undefined;

  constructor(readonly name: string) {}

  attach(conn: TcpConnection): this {
    this.conn = conn;
    conn.onEvent = (ev) => this.handle(ev);
    if (conn.state === 'ESTABLISHED' || conn.state === 'CLOSE-WAIT')
      this.handle({ type: 'established' });
    if (conn.readableLength > 0) this.handle({ type: 'readable' });
    return this;
  }

  private handle(ev: ConnEvent): void {
    switch (ev.type) {
      case 'established':
        if (this.established) return;
        this.established = true;
        this.onEstablished?.();
        return;
      case 'readable':
        if (this.autoRead) this.readAll();
        else this.onUnread?.();
        return;
      case 'peer-fin':
        if (this.autoRead) this.readAll();
        this.peerFin = true;
        this.onPeerFin?.();
        return;
      case 'writable':
        this.flush();
        return;
      case 'closed':
        this.closedWith = ev.error ?? 'ok';
        this.onClosed?.(ev.error);
        return;
      default:
        return;
    }
  }

  /** Reads everything buffered; returns the byte count. */
  readAll(): number {
    const c = this.conn;
    if (!c) return 0;
    let n = 0;
    for (let i = 0; i < 10_000; i++) {
      const b = c.read();
      if (b.length === 0) break;
      this.received.push(b.slice());
      this.receivedBytes += b.length;
      n += b.length;
    }
    if (n > 0) this.onData?.(this.receivedBytes);
    return n;
  }

  write(data: Uint8Array): void {
    this.written.push(data);
    this.pending.push(data);
    this.flush();
  }

  /** CLOSE once every queued byte is in the send buffer. */
  close(): void {
    this.closeAfterWrites = true;
    this.flush();
  }

  abort(): void {
    this.pending = [];
    this.conn?.abort();
  }

  private flush(): void {
    const c = this.conn;
    if (!c) return;
    while (this.pending.length > 0) {
      const head = this.pending[0] as Uint8Array;
      const n = c.write(head);
      if (n === 0) return;
      if (n < head.length) {
        this.pending[0] = head.subarray(n);
        return;
      }
      this.pending.shift();
    }
    if (this.closeAfterWrites) {
      this.closeAfterWrites = false;
      c.close();
    }
  }

  /** All bytes read, concatenated. */
  bytesRead(): Uint8Array {
    return concat(this.received);
  }

  /** All bytes written, concatenated. */
  bytesWritten(): Uint8Array {
    return concat(this.written);
  }
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
