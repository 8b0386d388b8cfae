/**
 * A stream.Duplex over a synack connection (through AppConn, which counts and hashes the bytes),
 * enough for Node's `http.Server` to serve on it: `server.emit('connection', duplex)`. Reads follow
 * Node's pull model (nothing is read from the connection while the readable side is full, so the
 * TCP window closes); a write completes when the send buffer took every byte. end() is RFC 9293
 * CLOSE (a FIN after the data); destroy() before both sides ended is ABORT (a RST), as closing a
 * kernel socket with data still in flight does.
 *
 * The net/ layer provides the full Node-compatible socket; this adapter only needs what
 * `http.Server` touches, so the apps do not depend on that layer's landing.
 */
import { Duplex } from 'node:stream';
import type { AppConn } from './app.js';

export class ConnDuplex extends Duplex {
  private wantRead = false;
  private pendingWrite: { data: Uint8Array; cb: (err?: Error | null) => void } | undefined;
  private timeoutMs = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ended = false;

  constructor(readonly app: AppConn) {
    super({ allowHalfOpen: true });
    app.onReadable = () => this.pull();
    app.onPeerFin = () => this.pull();
    app.onWritable = () => this.flushWrite();
    const prevClosed = app.onClosed;
    app.onClosed = () => {
      prevClosed?.();
      this.pull();
      if (app.error && app.error.code !== 'aborted') {
        this.destroy(new Error(`connection ${app.error.code}: ${app.error.message}`));
      } else if (this.pendingWrite) {
        this.destroy(new Error('connection closed with data unsent'));
      } else if (!this.ended) {
        this.push(null);
      }
    };
  }

  get remoteAddress(): string {
    return this.app.conn.tuple.remoteAddress;
  }
  get remotePort(): number {
    return this.app.conn.tuple.remotePort;
  }
  get localAddress(): string {
    return this.app.conn.tuple.localAddress;
  }
  get localPort(): number {
    return this.app.conn.tuple.localPort;
  }
  get remoteFamily(): string {
    return this.remoteAddress.includes(':') ? 'IPv6' : 'IPv4';
  }

  setNoDelay(on = true): this {
    this.app.conn.setNoDelay(on);
    return this;
  }

  setKeepAlive(on = false, initialDelay?: number): this {
    this.app.conn.setKeepAlive(on, initialDelay && initialDelay > 0 ? initialDelay : undefined);
    return this;
  }

  /** Idle timeout like net.Socket#setTimeout: emits 'timeout' after `ms` without I/O. */
  setTimeout(ms: number, cb?: () => void): this {
    this.timeoutMs = ms;
    if (cb) this.once('timeout', cb);
    this.touch();
    return this;
  }

  private touch(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.timeoutMs > 0 && !this.destroyed) {
      this.timer = setTimeout(() => this.emit('timeout'), this.timeoutMs);
      this.timer.unref?.();
    }
  }

  /** Ends the writable side, then destroys once the peer's FIN arrived (net.Socket#destroySoon). */
  destroySoon(): void {
    this.end();
  }

  override _read(): void {
    this.wantRead = true;
    this.pull();
  }

  private pull(): void {
    if (!this.wantRead || this.ended) return;
    for (let i = 0; i < 100_000; i++) {
      const b = this.app.read(65536);
      if (b.length === 0) break;
      this.touch();
      if (!this.push(b)) {
        this.wantRead = false;
        return;
      }
    }
    if ((this.app.peerFin || this.app.closed) && this.app.conn.readableLength === 0) {
      this.ended = true;
      this.push(null);
    }
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.pendingWrite = { data: chunk, cb };
    this.flushWrite();
  }

  private flushWrite(): void {
    const p = this.pendingWrite;
    if (!p) return;
    if (this.app.closed) {
      this.pendingWrite = undefined;
      p.cb(new Error('write after the connection closed'));
      return;
    }
    const n = this.app.write(p.data);
    if (n > 0) this.touch();
    if (n < p.data.length) {
      p.data = p.data.subarray(n);
      return;
    }
    this.pendingWrite = undefined;
    p.cb();
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.app.close();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.timer) clearTimeout(this.timer);
    if (!this.app.closed) {
      // Both directions finished: let the FIN exchange complete. Otherwise data may be in flight
      // either way and the connection is reset, as a kernel socket closed in that state would be.
      if (this.writableFinished && this.ended) this.app.close();
      else this.app.abort();
    }
    cb(err);
  }
}
