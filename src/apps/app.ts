/**
 * The small servers `synack serve --app NAME` runs on each accepted connection. They work on the
 * stack's raw TcpConnection (commands in, events out), so each one shows exactly which TCP calls
 * it makes and when: that is what the TUN proofs compare against the kernel (who closes first,
 * half-close, zero window). AppConn wraps a connection with byte counts and the states it went
 * through, for the one line `serve` prints when the connection is gone.
 */
import { createHash, type Hash } from 'node:crypto';
import type { TcpConnection } from '../stack/tcp-connection.js';
import type { ConnEvent, TcpError } from '../tcp/events.js';
import type { TcpState } from '../tcp/state.js';

/** States after which the peer's FIN has arrived (RFC 9293 §3.3.2, Figure 5). */
const PEER_FIN_STATES: ReadonlySet<TcpState> = new Set<TcpState>([
  'CLOSE-WAIT',
  'LAST-ACK',
  'CLOSING',
  'TIME-WAIT',
]);

export class AppConn {
  /** Bytes read by the app / accepted into the send buffer. */
  rx = 0;
  tx = 0;
  /** The states the connection went through, from the one it had when the app got it. */
  readonly states: TcpState[];
  error: TcpError | undefined;
  peerFin: boolean;
  /** SHA-256 of every byte read and every byte accepted for sending, so both ends can be compared. */
  private readonly rxHash: Hash = createHash('sha256');
  private readonly txHash: Hash = createHash('sha256');
  private digests: { rx: string; tx: string } | undefined;
  closed = false;

  onReadable: (() => void) | undefined;
  onWritable: (() => void) | undefined;
  onPeerFin: (() => void) | undefined;
  onClosed: (() => void) | undefined;

  constructor(readonly conn: TcpConnection) {
    this.states = [conn.state];
    this.peerFin = PEER_FIN_STATES.has(conn.state);
    conn.onEvent = (ev) => this.event(ev);
  }

  private event(ev: ConnEvent): void {
    switch (ev.type) {
      case 'state':
        this.states.push(ev.to);
        return;
      case 'readable':
        this.onReadable?.();
        return;
      case 'writable':
        this.onWritable?.();
        return;
      case 'peer-fin':
        this.peerFin = true;
        this.onPeerFin?.();
        return;
      case 'closed':
        this.closed = true;
        this.error = ev.error;
        this.onClosed?.();
        return;
      default:
        return;
    }
  }

  /** In-order bytes, at most `max`; empty when none. */
  read(max?: number): Uint8Array {
    if (this.closed) return new Uint8Array(0);
    const b = this.conn.read(max);
    this.rx += b.length;
    if (b.length > 0) this.rxHash.update(b);
    return b;
  }

  /** Bytes the send buffer took (0 when full: wait for onWritable). */
  write(b: Uint8Array): number {
    if (this.closed) return 0;
    const n = this.conn.write(b);
    this.tx += n;
    if (n > 0) this.txHash.update(n === b.length ? b : b.subarray(0, n));
    return n;
  }

  /** Hex SHA-256 of the bytes read and written so far (final once the connection closed). */
  sha256(): { rx: string; tx: string } {
    this.digests ??= { rx: this.rxHash.digest('hex'), tx: this.txHash.digest('hex') };
    return this.digests;
  }

  /** RFC 9293 CLOSE: FIN after the queued data; receiving goes on. */
  close(): void {
    if (!this.closed) this.conn.close();
  }

  abort(): void {
    if (!this.closed) this.conn.abort();
  }

  /** Reads and drops everything readable now; returns the byte count. */
  discardReadable(): number {
    let n = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const b = this.read();
      if (b.length === 0) break;
      n += b.length;
    }
    return n;
  }

  /** Runs `fn` for what happened before the app attached (data or FIN already there). */
  kick(): void {
    if (this.conn.readableLength > 0) this.onReadable?.();
    if (this.peerFin) this.onPeerFin?.();
  }
}

/** A server application: called once per accepted (ESTABLISHED) connection. */
export interface RawApp {
  readonly name: string;
  readonly summary: string;
  start(c: AppConn): void;
}
