/**
 * The part of Node's `net` API the shared behaviour suite uses, as a structural type. Node's own
 * module and a synack Stack must both satisfy it: the suite is written once against this type and
 * run against both (test/net/node-net.test.ts, test/net/synack-net.test.ts).
 */
import type { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';

export interface AddressInfoLike {
  address: string;
  family: string;
  port: number;
}

export interface SocketLike extends Duplex {
  readonly connecting: boolean;
  readonly pending: boolean;
  readonly readyState: string;
  readonly bytesRead: number;
  readonly bytesWritten: number;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
  readonly remoteFamily?: string;
  readonly localAddress?: string;
  readonly localPort?: number;
  readonly localFamily?: string;
  address(): AddressInfoLike | object;
  setTimeout(ms: number, cb?: () => void): this;
  setNoDelay(noDelay?: boolean): this;
  setKeepAlive(enable?: boolean, initialDelay?: number): this;
  destroySoon(): void;
  resetAndDestroy(): this;
}

export interface ServerLike extends EventEmitter {
  readonly listening: boolean;
  maxConnections: number;
  listen(port?: number, host?: string, listener?: () => void): this;
  listen(options: { port?: number; host?: string; backlog?: number }, listener?: () => void): this;
  address(): AddressInfoLike | string | null;
  close(cb?: (err?: Error) => void): this;
  getConnections(cb: (err: Error | null, count: number) => void): this | void;
}

export interface ServerOptionsLike {
  allowHalfOpen?: boolean;
  pauseOnConnect?: boolean;
}

export interface ConnectOptionsLike {
  port: number;
  host?: string;
  allowHalfOpen?: boolean;
  timeout?: number;
}

export interface NetLike {
  createServer(connectionListener?: (socket: SocketLike) => void): ServerLike;
  createServer(
    options?: ServerOptionsLike,
    connectionListener?: (socket: SocketLike) => void,
  ): ServerLike;
  connect(options: ConnectOptionsLike, connectionListener?: () => void): SocketLike;
  connect(port: number, host?: string, connectionListener?: () => void): SocketLike;
  createConnection(options: ConnectOptionsLike, connectionListener?: () => void): SocketLike;
  createConnection(port: number, host?: string, connectionListener?: () => void): SocketLike;
}
