/**
 * Socket: a `stream.Duplex` over one synack TcpConnection, with the members, events and event order
 * of Node's `net.Socket` (lib/net.js; Node's docs are the spec). The TCP engine underneath gives
 * real flow control: the Duplex pulls bytes out of the connection's receive buffer only while the
 * consumer wants them (`_read`), so a paused reader lets the buffer fill and the advertised window
 * close (RFC 9293 §3.8.6.2), and writes are handed to the send buffer only as it has room, so
 * `write()`'s return value and 'drain' follow the peer's window.
 *
 * Lifetimes, as in Node over a kernel: the socket ('close' event, `destroyed`) and the TCB (what
 * `tcpState` reports) are two things. Destroying a socket closes it at once; the TCB lives on in
 * the stack through FIN-WAIT-2 / TIME-WAIT / LAST-ACK like an orphaned kernel socket.
 */
import { Duplex } from 'node:stream';
import type { Stack, TcpConnection } from '../stack/stack.js';
import type { TimerHandle } from '../stack/clock.js';
import type { ConnEvent } from '../tcp/events.js';
import type { TcpInfo } from '../tcp/tcp-info.js';
import type { TcpState } from '../tcp/state.js';
import type { TcpConfig } from '../tcp/config.js';
import { ipFamily, normalizeConnectArgs, type SocketConnectOptions } from './args.js';
import {
  epipeAfterFin,
  fromTcpError,
  netError,
  nodeError,
  notFoundError,
  type NetErrorCode,
} from './errors.js';
import type { SocketEvents } from './events.js';

export interface SocketOptions {
  /** The synack stack this socket connects through (what `net` is for Node's sockets). */
  stack: Stack;
  /** Default false: when the peer's FIN arrives the socket ends its own side too (Node's default). */
  allowHalfOpen?: boolean;
  highWaterMark?: number;
  readableHighWaterMark?: number;
  writableHighWaterMark?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
}

export interface AddressInfo {
  address: string;
  family: 'IPv4' | 'IPv6';
  port: number;
}

/** Called by the owning Server when a socket it counted is destroyed. @internal */
export const kOnDestroy = Symbol('synack.onDestroy');

type WriteCallback = (error?: Error | null) => void;

const familyName = (a: string): 'IPv4' | 'IPv6' => (a.includes(':') ? 'IPv6' : 'IPv4');

/** States in which the engine accepts SEND (RFC 9293 §3.10.2). */
const CAN_SEND: ReadonlySet<TcpState> = new Set<TcpState>([
  'SYN-SENT',
  'SYN-RECEIVED',
  'ESTABLISHED',
  'CLOSE-WAIT',
]);

// Declaration merging adds the typed event overloads (interface below) to the class.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Socket extends Duplex {
  readonly stack: Stack;
  /** The Server that accepted this socket, if any (Node's `socket.server`). */
  server: unknown;

  #conn: TcpConnection | undefined;
  #connecting = false;
  /** The handle is gone (Node's `_handle === null` after destroy): `pending` is true again. */
  #released = false;
  #reading = false;
  #peerFin = false;
  #eofPushed = false;
  /** The part of the current _write the send buffer had no room for yet. */
  #pendingWrite: { data: Uint8Array; cb: WriteCallback } | undefined;
  /** Work waiting for the handshake: buffered writes and end(). */
  #afterConnect: (() => void)[] = [];
  #bytesRead = 0;
  #bytesHanded = 0;
  #inWrite = 0;
  #timeoutMs = 0;
  #timer: TimerHandle | undefined;
  #lastActive = 0;
  #resetting = false;
  #noDelay: boolean | undefined;
  #keepAlive: { on: boolean; delay: number } | undefined;
  #tuple:
    | { localAddress: string; localPort: number; remoteAddress: string; remotePort: number }
    | undefined;
  #lastInfo: TcpInfo | undefined;
  #tcp: Partial<TcpConfig> | undefined;
  [kOnDestroy]: (() => void) | undefined;

  constructor(options: SocketOptions) {
    if (!options || typeof options.stack !== 'object' || options.stack === null) {
      throw nodeError(
        'ERR_INVALID_ARG_TYPE',
        'Socket: options.stack must be a synack Stack',
        TypeError,
      );
    }
    super({
      allowHalfOpen: Boolean(options.allowHalfOpen),
      // Node emits 'close' itself, with hadError, once the handle is closed (lib/net.js).
      emitClose: false,
      autoDestroy: true,
      ...(options.highWaterMark !== undefined ? { highWaterMark: options.highWaterMark } : {}),
      ...(options.readableHighWaterMark !== undefined
        ? { readableHighWaterMark: options.readableHighWaterMark }
        : {}),
      ...(options.writableHighWaterMark !== undefined
        ? { writableHighWaterMark: options.writableHighWaterMark }
        : {}),
    });
    this.stack = options.stack;
    if (options.noDelay) this.#noDelay = true;
    if (options.keepAlive) {
      this.#keepAlive = { on: true, delay: options.keepAliveInitialDelay ?? 0 };
    }
  }

  /** @internal a socket for a connection a Server accepted (already ESTABLISHED or further). */
  static _accepted(stack: Stack, conn: TcpConnection, opts: AcceptOptions): Socket {
    const s = new Socket({ stack, ...opts });
    s.#attach(conn);
    s.#tuple = { ...conn.tuple };
    s.#applyOptions();
    s.#touchActivity();
    if (opts.pauseOnConnect) {
      // Node: the handle does not read and the stream is not flowing until resume().
      s.pause();
    } else {
      s.read(0);
    }
    // Events are not replayed for accepted connections: catch up with what already happened.
    if (conn.readableLength > 0) s.#onReadable();
    if (conn.state === 'CLOSE-WAIT' || conn.state === 'LAST-ACK') {
      s.#onPeerFin();
    }
    return s;
  }

  // ------------------------------------------------------------------ connect

  /** Node's socket.connect(options[, cb]) / connect(port[, host][, cb]). */
  connect(options: SocketConnectOptions, connectListener?: () => void): this;
  connect(port: number, host?: string, connectListener?: () => void): this;
  connect(port: number, connectListener?: () => void): this;
  connect(...args: unknown[]): this {
    const [opts, cb] = normalizeConnectArgs(args);
    if (this.#connecting || this.#conn) {
      throw nodeError('ERR_SOCKET_CONNECTING', 'Socket is already connecting');
    }
    if (cb) this.once('connect', cb);
    this.#connecting = true;
    if (opts.timeout) this.setTimeout(opts.timeout);
    if (opts.noDelay !== undefined) this.#noDelay = opts.noDelay;
    if (opts.keepAlive) this.#keepAlive = { on: true, delay: opts.keepAliveInitialDelay ?? 0 };
    this.#tcp = opts.tcp;
    const host =
      opts.host === undefined || opts.host === 'localhost' ? this.#defaultHost() : opts.host;
    if (ipFamily(host) === 0) {
      // No resolver here: a name is a failed lookup, reported like Node's ENOTFOUND.
      process.nextTick(() => this.destroy(notFoundError(host)));
      return this;
    }
    let conn: TcpConnection;
    try {
      conn = this.stack.openConnection({
        address: host,
        port: opts.port,
        ...(opts.localAddress !== undefined ? { localAddress: opts.localAddress } : {}),
        ...(opts.localPort !== undefined ? { localPort: opts.localPort } : {}),
        ...(this.#tcp !== undefined ? { tcp: this.#tcp } : {}),
      });
    } catch (e) {
      const code = (e as { code?: string }).code;
      const mapped: NetErrorCode =
        code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EAGAIN' ? code : 'EINVAL';
      const local =
        opts.localAddress !== undefined
          ? `Local (${opts.localAddress}:${opts.localPort ?? 0})`
          : undefined;
      const err = netError(mapped, 'connect', host, opts.port, local);
      // Errors are emitted on a later tick, as Node does, so listeners added after connect() see them.
      process.nextTick(() => this.destroy(err));
      return this;
    }
    this.#attach(conn);
    // The handshake cannot finish synchronously (packets travel through the link), but should a
    // link ever complete it inside openConnection(), 'connect' still comes on a later tick.
    if (conn.state === 'ESTABLISHED')
      process.nextTick(() => this.#onEvent({ type: 'established' }));
    return this;
  }

  #defaultHost(): string {
    return this.stack.addresses[0] ?? '127.0.0.1';
  }

  #attach(conn: TcpConnection): void {
    this.#conn = conn;
    conn.onEvent = (ev) => this.#onEvent(ev);
  }

  #applyOptions(): void {
    const c = this.#conn;
    if (!c) return;
    if (this.#noDelay !== undefined) c.setNoDelay(this.#noDelay);
    if (this.#keepAlive) {
      c.setKeepAlive(
        this.#keepAlive.on,
        this.#keepAlive.delay > 0 ? this.#keepAlive.delay : undefined,
      );
    }
  }

  // ------------------------------------------------------------------ engine events

  #onEvent(ev: ConnEvent): void {
    switch (ev.type) {
      case 'established':
        if (this.#connecting) this.#onConnected();
        return;
      case 'readable':
        this.#onReadable();
        return;
      case 'peer-fin':
        this.#onPeerFin();
        return;
      case 'writable':
        this.#continueWrite();
        return;
      case 'closed':
        this.#onClosed(ev.error?.code);
        return;
      default:
        return;
    }
  }

  #onConnected(): void {
    const conn = this.#conn;
    if (!conn || this.destroyed) return;
    this.#connecting = false;
    this.#tuple = { ...conn.tuple };
    this.#applyOptions();
    this.#touchActivity();
    this.emit('connect');
    this.emit('ready');
    const work = this.#afterConnect;
    this.#afterConnect = [];
    for (const w of work) w();
    // Node starts reading right after connecting unless the stream was paused.
    if (this.readable && !this.isPaused()) this.read(0);
  }

  #onReadable(): void {
    if (this.#reading) this.#pull();
  }

  #onPeerFin(): void {
    this.#peerFin = true;
    this.#pull();
    // As Node's onStreamRead does at EOF: read(0) lets a stream nobody consumes still emit 'end'
    // (an idle server socket must see the client's FIN to close).
    if (this.#eofPushed && !this.destroyed) this.read(0);
  }

  /** Moves received bytes from the TCP receive buffer into the stream while it wants more. */
  #pull(): void {
    const conn = this.#conn;
    if (!conn || this.destroyed) return;
    // At most one high-water mark per push: the stream then holds at most ~2 of them, and the
    // rest stays in the TCP receive buffer, where it closes the window (memory stays bounded).
    const max = Math.max(1, this.readableHighWaterMark);
    while (this.#reading) {
      const chunk = conn.read(max);
      if (chunk.length === 0) break;
      this.#bytesRead += chunk.length;
      this.#touchActivity();
      const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
      if (!this.push(buf)) this.#reading = false;
    }
    if (this.#peerFin && !this.#eofPushed && conn.readableLength === 0) {
      this.#eofPushed = true;
      this.push(null);
    }
  }

  #onClosed(code: string | undefined): void {
    const conn = this.#conn;
    if (conn) this.#lastInfo = conn.info();
    const pending = this.#pendingWrite;
    if (code === 'aborted' && !this.destroyed) {
      // Aborted by someone other than this socket (its own aborts happen after destroy): the
      // stack was closed under it — its owner's deliberate act, like a process exiting, so the
      // socket closes without an error event.
      this.destroy();
      return;
    }
    if (code === undefined || code === 'aborted') {
      if (pending) {
        // The TCB is gone with bytes never sent: fail the write.
        this.#pendingWrite = undefined;
        pending.cb(netError('EPIPE', 'write'));
      }
      return;
    }
    const t = this.#tuple ?? conn?.tuple;
    const err = fromTcpError(
      code as 'refused' | 'reset' | 'timed-out' | 'unreachable',
      this.#connecting,
      t?.remoteAddress ?? '',
      t?.remotePort ?? 0,
    );
    if (!this.destroyed) this.destroy(err);
    else if (pending) {
      this.#pendingWrite = undefined;
      pending.cb(err);
    }
  }

  // ------------------------------------------------------------------ Duplex plumbing

  override _read(_size: number): void {
    this.#reading = true;
    this.#pull();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: WriteCallback): void {
    this.#bytesHanded += chunk.length;
    this.#inWrite = chunk.length;
    const done: WriteCallback = (err) => {
      this.#inWrite = 0;
      cb(err);
    };
    if (this.#connecting) {
      this.#afterConnect.push(() => this.#writeNow(chunk, done));
      return;
    }
    this.#writeNow(chunk, done);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: WriteCallback): void {
    const data = chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map((c) => c.chunk));
    this._write(data, 'binary', cb);
  }

  #writeNow(data: Uint8Array, cb: WriteCallback): void {
    const conn = this.#conn;
    if (!conn) {
      cb(nodeError('ERR_SOCKET_CLOSED', 'Socket is closed'));
      return;
    }
    this.#pendingWrite = { data, cb };
    this.#continueWrite();
  }

  /** Hands as much of the pending write to the send buffer as it takes; the rest waits for 'writable'. */
  #continueWrite(): void {
    const p = this.#pendingWrite;
    const conn = this.#conn;
    if (!p || !conn) return;
    const n = p.data.length > 0 ? conn.write(p.data) : 0;
    if (n > 0) this.#touchActivity();
    if (n === p.data.length) {
      this.#pendingWrite = undefined;
      p.cb();
      return;
    }
    p.data = p.data.subarray(n);
    if (!CAN_SEND.has(conn.state)) {
      // The connection can no longer send (it is closing or gone): Linux's send() says EPIPE.
      this.#pendingWrite = undefined;
      p.cb(netError('EPIPE', 'write'));
    }
  }

  override _final(cb: (error?: Error | null) => void): void {
    if (this.#connecting) {
      this.#afterConnect.push(() => this._final(cb));
      return;
    }
    const conn = this.#conn;
    // RFC 9293 CLOSE: a FIN after the queued data; we keep receiving (FIN-WAIT-1 / LAST-ACK).
    if (conn) conn.close();
    cb();
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.#clearTimer();
    const conn = this.#conn;
    this.#connecting = false;
    this.#afterConnect = [];
    if (conn) {
      this.#lastInfo = conn.info();
      const state = conn.state;
      if (state !== 'CLOSED') {
        if (this.#resetting || state === 'SYN-SENT' || conn.readableLength > 0) {
          // resetAndDestroy(), an unfinished open, or unread bytes: Linux answers close() on a
          // socket with unread data with a RST (RFC 9293 §3.10.4 leaves it open; RFC 2525 §2.17).
          conn.abort();
        } else if (!this.writableFinished) {
          // Like close(2) on a kernel socket: a FIN after whatever is queued.
          conn.close();
        }
      }
      // The TCB may live on (FIN-WAIT-2, TIME-WAIT …) as an orphan: data for it is answered with
      // a RST, as Linux does for a closed socket (TCPAbortOnData).
      conn.onEvent = (ev) => {
        if (ev.type === 'readable' && conn.readableLength > 0) conn.abort();
      };
    }
    const pending = this.#pendingWrite;
    this.#pendingWrite = undefined;
    if (pending)
      pending.cb(
        err ?? nodeError('ERR_STREAM_DESTROYED', 'Cannot call write after a stream was destroyed'),
      );
    this.#released = true;
    this[kOnDestroy]?.();
    cb(err);
    // 'close' after 'error' (which the stream emits on the next tick), as Node's handle-close callback.
    setImmediate(() => this.emit('close', err !== null && err !== undefined));
  }

  // ------------------------------------------------------------------ Node's net.Socket members

  override write(chunk: unknown, cb?: WriteCallback): boolean;
  override write(chunk: unknown, encoding?: BufferEncoding, cb?: WriteCallback): boolean;
  override write(
    chunk: unknown,
    encoding?: BufferEncoding | WriteCallback,
    cb?: WriteCallback,
  ): boolean {
    if (this.#peerFin && this.readableEnded && !this.allowHalfOpen && this.writableEnded) {
      // Node's writeAfterFIN: the peer ended and so did we (allowHalfOpen false).
      const callback = typeof encoding === 'function' ? encoding : cb;
      const er = epipeAfterFin();
      if (callback) process.nextTick(callback, er);
      this.destroy(er);
      return false;
    }
    return super.write(chunk, encoding as BufferEncoding, cb);
  }

  /** Ends the writable side, then destroys the socket once everything is flushed. */
  destroySoon(): void {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /** Closes the connection with a RST (RFC 9293 §3.10.5 ABORT) and destroys the socket. */
  resetAndDestroy(): this {
    if (this.#conn && !this.#released) {
      if (this.#connecting) {
        this.once('connect', () => {
          this.#resetting = true;
          this.destroy();
        });
      } else {
        this.#resetting = true;
        this.destroy();
      }
    } else {
      this.destroy(nodeError('ERR_SOCKET_CLOSED', 'Socket is closed'));
    }
    return this;
  }

  setNoDelay(noDelay = true): this {
    this.#noDelay = Boolean(noDelay);
    if (this.#conn && !this.#connecting && !this.#released) this.#conn.setNoDelay(this.#noDelay);
    return this;
  }

  setKeepAlive(enable = false, initialDelay = 0): this {
    this.#keepAlive = { on: Boolean(enable), delay: Math.max(0, Math.floor(initialDelay)) };
    if (this.#conn && !this.#connecting && !this.#released) this.#applyOptions();
    return this;
  }

  /** Emits 'timeout' after `ms` of inactivity (reads, writes, connect); 0 disables. Node's semantics. */
  setTimeout(ms: number, callback?: () => void): this {
    if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) {
      throw nodeError(
        'ERR_OUT_OF_RANGE',
        `The value of "msecs" is out of range. It must be a non-negative finite number. Received ${String(ms)}`,
        RangeError,
      );
    }
    this.#timeoutMs = ms;
    this.#clearTimer();
    if (ms === 0) {
      if (callback) this.removeListener('timeout', callback);
      return this;
    }
    if (callback) this.once('timeout', callback);
    if (!this.destroyed) {
      this.#lastActive = this.stack.clock.now();
      this.#armTimer(this.#lastActive + ms);
    }
    return this;
  }

  get timeout(): number | undefined {
    return this.#timeoutMs === 0 ? undefined : this.#timeoutMs;
  }

  #touchActivity(): void {
    if (this.#timeoutMs === 0) return;
    this.#lastActive = this.stack.clock.now();
    // After a 'timeout' the timer is idle until the next activity re-arms it (Node refreshes it).
    if (!this.#timer && !this.destroyed) this.#armTimer(this.#lastActive + this.#timeoutMs);
  }

  #armTimer(at: number): void {
    this.#timer = this.stack.clock.schedule(at, () => this.#onTimer());
  }

  #clearTimer(): void {
    if (this.#timer) this.stack.clock.cancel(this.#timer);
    this.#timer = undefined;
  }

  #onTimer(): void {
    this.#timer = undefined;
    if (this.#timeoutMs === 0 || this.destroyed) return;
    const due = this.#lastActive + this.#timeoutMs;
    if (this.stack.clock.now() < due) {
      this.#armTimer(due);
      return;
    }
    this.emit('timeout');
  }

  /** Node's handles keep the event loop alive; a simulated socket has no handle: these are no-ops. */
  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  address(): AddressInfo | Record<string, never> {
    const t = this.#tuple;
    if (!t) return {};
    return { address: t.localAddress, family: familyName(t.localAddress), port: t.localPort };
  }

  get remoteAddress(): string | undefined {
    return this.#tuple?.remoteAddress;
  }

  get remotePort(): number | undefined {
    return this.#tuple?.remotePort;
  }

  get remoteFamily(): 'IPv4' | 'IPv6' | undefined {
    return this.#tuple ? familyName(this.#tuple.remoteAddress) : undefined;
  }

  get localAddress(): string | undefined {
    return this.#tuple?.localAddress;
  }

  get localPort(): number | undefined {
    return this.#tuple?.localPort;
  }

  get localFamily(): 'IPv4' | 'IPv6' | undefined {
    return this.#tuple ? familyName(this.#tuple.localAddress) : undefined;
  }

  get bytesRead(): number {
    return this.#bytesRead;
  }

  /** Bytes handed to the connection plus those still queued in the stream (Node counts both). */
  get bytesWritten(): number {
    return this.#bytesHanded + Math.max(0, this.writableLength - this.#inWrite);
  }

  get connecting(): boolean {
    return this.#connecting;
  }

  get pending(): boolean {
    return !this.#conn || this.#released || this.#connecting;
  }

  get readyState(): 'opening' | 'open' | 'readOnly' | 'writeOnly' | 'closed' {
    if (this.#connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable && !this.writable) return 'readOnly';
    if (!this.readable && this.writable) return 'writeOnly';
    return 'closed';
  }

  // ------------------------------------------------------------------ synack's own

  /** The RFC 9293 state of the connection underneath (it outlives the socket: TIME-WAIT …). */
  get tcpState(): TcpState {
    return this.#conn?.state ?? 'CLOSED';
  }

  /**
   * The connection's figures in the spirit of Linux's TCP_INFO (srtt, rttvar, rto in ms; cwnd and
   * ssthresh in bytes; retransmits; bytes in flight; send and receive windows); after the TCB is
   * gone, its last snapshot. Undefined before connect().
   */
  tcpInfo(): TcpInfo | undefined {
    const c = this.#conn;
    if (c && c.state !== 'CLOSED') return c.info();
    return this.#lastInfo ?? c?.info();
  }
}

export interface AcceptOptions {
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  highWaterMark?: number;
}

/** Typed events, as Node's own typings declare them for net.Socket. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Socket {
  addListener<E extends keyof SocketEvents>(event: E, listener: SocketEvents[E]): this;
  addListener<S extends string | symbol>(
    event: Exclude<S, keyof SocketEvents>,
    listener: (...args: never[]) => void,
  ): this;
  on<E extends keyof SocketEvents>(event: E, listener: SocketEvents[E]): this;
  on<S extends string | symbol>(
    event: Exclude<S, keyof SocketEvents>,
    listener: (...args: never[]) => void,
  ): this;
  once<E extends keyof SocketEvents>(event: E, listener: SocketEvents[E]): this;
  once<S extends string | symbol>(
    event: Exclude<S, keyof SocketEvents>,
    listener: (...args: never[]) => void,
  ): this;
  prependListener<E extends keyof SocketEvents>(event: E, listener: SocketEvents[E]): this;
  prependListener<S extends string | symbol>(
    event: Exclude<S, keyof SocketEvents>,
    listener: (...args: never[]) => void,
  ): this;
  prependOnceListener<E extends keyof SocketEvents>(event: E, listener: SocketEvents[E]): this;
  prependOnceListener<S extends string | symbol>(
    event: Exclude<S, keyof SocketEvents>,
    listener: (...args: never[]) => void,
  ): this;
  emit<E extends keyof SocketEvents>(event: E, ...args: Parameters<SocketEvents[E]>): boolean;
  emit<S extends string | symbol>(
    event: Exclude<S, keyof SocketEvents>,
    ...args: unknown[]
  ): boolean;
}
