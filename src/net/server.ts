/**
 * Server: Node's `net.Server` over a synack TcpListener. listen() has Node's overloads; errors from
 * the stack (EADDRINUSE, EADDRNOTAVAIL) are emitted as 'error' on a later tick with Node's fields;
 * close() stops listening at once and emits 'close' when the last connection is gone.
 */
import { EventEmitter } from 'node:events';
import type { Stack, TcpConnection, TcpListener } from '../stack/stack.js';
import type { TcpConfig } from '../tcp/config.js';
import { normalizeListenArgs, type ListenOptions } from './args.js';
import { netError, nodeError, type NetErrorCode } from './errors.js';
import type { DropInfo, ServerEvents } from './events.js';
import { kOnDestroy, Socket, type AddressInfo } from './socket.js';

export interface ServerOptions {
  allowHalfOpen?: boolean;
  /** Accepted sockets start paused: nothing is read until resume() (Node's option). */
  pauseOnConnect?: boolean;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  highWaterMark?: number;
  /** synack's own: TCP settings for accepted connections. */
  tcp?: Partial<TcpConfig>;
}

const familyName = (a: string): 'IPv4' | 'IPv6' => (a.includes(':') ? 'IPv6' : 'IPv4');

// Declaration merging adds the typed event overloads (interface below) to the class.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Server extends EventEmitter {
  readonly stack: Stack;
  /** Above this many connections new ones are closed at once and 'drop' is emitted. */
  maxConnections = Infinity;
  readonly #options: ServerOptions;
  #listener: TcpListener | undefined;
  readonly #sockets = new Set<Socket>();

  constructor(stack: Stack, options: ServerOptions = {}, connectionListener?: (s: Socket) => void) {
    super();
    this.stack = stack;
    this.#options = { ...options };
    if (connectionListener) this.on('connection', connectionListener);
  }

  get listening(): boolean {
    return this.#listener !== undefined;
  }

  listen(port?: number, host?: string, backlog?: number, listeningListener?: () => void): this;
  listen(port?: number, host?: string, listeningListener?: () => void): this;
  listen(port?: number, backlog?: number, listeningListener?: () => void): this;
  listen(port?: number, listeningListener?: () => void): this;
  listen(options: ListenOptions, listeningListener?: () => void): this;
  listen(listeningListener?: () => void): this;
  listen(...args: unknown[]): this {
    const [opts, cb] = normalizeListenArgs(args);
    if (this.#listener) {
      throw nodeError(
        'ERR_SERVER_ALREADY_LISTEN',
        'Listen method has been called more than once without closing.',
      );
    }
    if (cb) this.once('listening', cb);
    const host = opts.host === 'localhost' ? this.stack.addresses[0] : opts.host;
    try {
      const l = this.stack.openListener({
        port: opts.port ?? 0,
        ...(host !== undefined ? { address: host } : {}),
        ...(opts.backlog !== undefined ? { backlog: opts.backlog } : {}),
        ...(this.#options.tcp ? { tcp: this.#options.tcp } : {}),
      });
      this.#listener = l;
      l.onConnection = (c) => this.#onConnection(c);
      process.nextTick(() => {
        if (this.#listener === l) this.emit('listening');
      });
    } catch (e) {
      const code = (e as { code?: string }).code;
      const mapped: NetErrorCode =
        code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' ? code : 'EINVAL';
      const err = netError(mapped, 'listen', host ?? '::', opts.port ?? 0);
      process.nextTick(() => this.emit('error', err));
    }
    return this;
  }

  address(): AddressInfo | null {
    const l = this.#listener;
    if (!l) return null;
    return { address: l.address, family: familyName(l.address), port: l.port };
  }

  /** Stops accepting; 'close' (and `cb`) once every connection has closed. Node's semantics. */
  close(cb?: (err?: Error) => void): this {
    if (typeof cb === 'function') {
      if (!this.#listener) {
        this.once('close', () => cb(nodeError('ERR_SERVER_NOT_RUNNING', 'Server is not running.')));
      } else {
        this.once('close', cb);
      }
    }
    if (this.#listener) {
      this.#listener.onConnection = undefined;
      this.#listener.close();
      this.#listener = undefined;
    }
    this.#emitCloseIfDrained();
    return this;
  }

  getConnections(cb: (err: Error | null, count: number) => void): this {
    const n = this.#sockets.size;
    process.nextTick(cb, null, n);
    return this;
  }

  /** No event-loop handle to (un)reference in a simulation; kept for API compatibility. */
  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  #emitCloseIfDrained(): void {
    if (this.#listener || this.#sockets.size > 0) return;
    process.nextTick(() => this.emit('close'));
  }

  #onConnection(conn: TcpConnection): void {
    if (this.maxConnections && this.#sockets.size >= this.maxConnections) {
      // Node closes the accepted handle at once (a FIN) and reports it as 'drop'.
      const t = conn.tuple;
      const info: DropInfo = {
        localAddress: t.localAddress,
        localPort: t.localPort,
        localFamily: familyName(t.localAddress),
        remoteAddress: t.remoteAddress,
        remotePort: t.remotePort,
        remoteFamily: familyName(t.remoteAddress),
      };
      conn.onEvent = (ev) => {
        // An orphan: data for it is answered with a RST, as Linux does for a closed socket.
        if (ev.type === 'readable' && conn.readableLength > 0) conn.abort();
      };
      if (conn.readableLength > 0) conn.abort();
      else conn.close();
      this.emit('drop', info);
      return;
    }
    const o = this.#options;
    const socket = Socket._accepted(this.stack, conn, {
      ...(o.allowHalfOpen !== undefined ? { allowHalfOpen: o.allowHalfOpen } : {}),
      ...(o.pauseOnConnect !== undefined ? { pauseOnConnect: o.pauseOnConnect } : {}),
      ...(o.noDelay !== undefined ? { noDelay: o.noDelay } : {}),
      ...(o.keepAlive !== undefined ? { keepAlive: o.keepAlive } : {}),
      ...(o.keepAliveInitialDelay !== undefined
        ? { keepAliveInitialDelay: o.keepAliveInitialDelay }
        : {}),
      ...(o.highWaterMark !== undefined ? { highWaterMark: o.highWaterMark } : {}),
    });
    socket.server = this;
    this.#sockets.add(socket);
    socket[kOnDestroy] = () => {
      if (this.#sockets.delete(socket)) this.#emitCloseIfDrained();
    };
    this.emit('connection', socket);
  }
}

/** Typed events, as Node's own typings declare them for net.Server. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Server {
  addListener<E extends keyof ServerEvents>(event: E, listener: ServerEvents[E]): this;
  addListener<S extends string | symbol>(
    event: Exclude<S, keyof ServerEvents>,
    listener: (...args: never[]) => void,
  ): this;
  on<E extends keyof ServerEvents>(event: E, listener: ServerEvents[E]): this;
  on<S extends string | symbol>(
    event: Exclude<S, keyof ServerEvents>,
    listener: (...args: never[]) => void,
  ): this;
  once<E extends keyof ServerEvents>(event: E, listener: ServerEvents[E]): this;
  once<S extends string | symbol>(
    event: Exclude<S, keyof ServerEvents>,
    listener: (...args: never[]) => void,
  ): this;
  prependListener<E extends keyof ServerEvents>(event: E, listener: ServerEvents[E]): this;
  prependListener<S extends string | symbol>(
    event: Exclude<S, keyof ServerEvents>,
    listener: (...args: never[]) => void,
  ): this;
  prependOnceListener<E extends keyof ServerEvents>(event: E, listener: ServerEvents[E]): this;
  prependOnceListener<S extends string | symbol>(
    event: Exclude<S, keyof ServerEvents>,
    listener: (...args: never[]) => void,
  ): this;
  emit<E extends keyof ServerEvents>(event: E, ...args: Parameters<ServerEvents[E]>): boolean;
  emit<S extends string | symbol>(
    event: Exclude<S, keyof ServerEvents>,
    ...args: unknown[]
  ): boolean;
}
