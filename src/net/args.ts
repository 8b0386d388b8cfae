/**
 * Argument normalization for connect() and listen(), with Node's overloads and Node's validation
 * errors (lib/net.js normalizeArgs and Server.prototype.listen): connect(options[, cb]),
 * connect(port[, host][, cb]); listen(port[, host][, backlog][, cb]), listen(options[, cb]),
 * listen(cb). IPC paths are not TCP and are refused with a TypeError.
 */
import { isIP } from 'node:net';
import type { TcpConfig } from '../tcp/config.js';
import { nodeError } from './errors.js';

export interface SocketConnectOptions {
  port: number;
  /** An IP literal (synack resolves no names); default the stack's own first address. */
  host?: string;
  localAddress?: string;
  localPort?: number;
  family?: number;
  allowHalfOpen?: boolean;
  /** socket.setTimeout(timeout) once created (Node's `timeout` connect option). */
  timeout?: number;
  noDelay?: boolean;
  keepAlive?: boolean;
  keepAliveInitialDelay?: number;
  /** Stream high-water mark for both sides of the Duplex (Node 20: 16 KiB). */
  highWaterMark?: number;
  /** synack's own: TCP settings for this connection (buffer sizes, timers …). */
  tcp?: Partial<TcpConfig>;
}

export interface ListenOptions {
  port?: number;
  host?: string;
  backlog?: number;
  exclusive?: boolean;
  ipv6Only?: boolean;
  /** Not TCP: refused. */
  path?: string;
}

function badPort(port: unknown): Error {
  const shown = typeof port === 'string' ? `'${port}'` : String(port);
  return nodeError(
    'ERR_SOCKET_BAD_PORT',
    `Port should be >= 0 and < 65536. Received type ${typeof port} (${shown}).`,
    RangeError,
  );
}

/** Node accepts numbers and numeric strings for ports. */
export function toPort(port: unknown, allowZero: boolean): number {
  const n = typeof port === 'string' && port.trim() !== '' ? Number(port) : port;
  if (
    typeof n !== 'number' ||
    !Number.isInteger(n) ||
    n < 0 ||
    n > 65535 ||
    (!allowZero && n === 0)
  ) {
    throw badPort(port);
  }
  return n;
}

export function normalizeConnectArgs(
  args: unknown[],
): [options: SocketConnectOptions, listener: (() => void) | undefined] {
  const last = args[args.length - 1];
  const cb = typeof last === 'function' ? (last as () => void) : undefined;
  const a0 = args[0];
  if (a0 !== null && typeof a0 === 'object') {
    const o = a0 as SocketConnectOptions & { path?: unknown };
    if (o.path !== undefined) throw ipcRefused();
    return [{ ...o, port: toPort(o.port, false) }, cb];
  }
  if (typeof a0 === 'number' || (typeof a0 === 'string' && /^\d+$/.test(a0))) {
    const host = typeof args[1] === 'string' ? args[1] : undefined;
    return [{ port: toPort(a0, false), host }, cb];
  }
  if (typeof a0 === 'string') throw ipcRefused();
  throw badPort(a0);
}

export function normalizeListenArgs(
  args: unknown[],
): [options: ListenOptions, listener: (() => void) | undefined] {
  const last = args[args.length - 1];
  const cb = typeof last === 'function' ? (last as () => void) : undefined;
  const rest = cb ? args.slice(0, -1) : args;
  const a0 = rest[0];
  if (a0 === undefined || a0 === null) return [{ port: 0 }, cb];
  if (typeof a0 === 'object') {
    const o = a0 as ListenOptions;
    if (o.path !== undefined) throw ipcRefused();
    return [{ ...o, port: o.port === undefined ? 0 : toPort(o.port, true) }, cb];
  }
  if (typeof a0 === 'string' && !/^\d+$/.test(a0)) throw ipcRefused();
  const opts: ListenOptions = { port: toPort(a0, true) };
  // listen(port, host, backlog) or listen(port, backlog).
  if (typeof rest[1] === 'string') {
    opts.host = rest[1];
    if (typeof rest[2] === 'number') opts.backlog = rest[2];
  } else if (typeof rest[1] === 'number') {
    opts.backlog = rest[1];
  }
  return [opts, cb];
}

function ipcRefused(): Error {
  return nodeError(
    'ERR_INVALID_ARG_VALUE',
    'synack sockets are TCP only: IPC paths (Unix sockets, named pipes) are not supported',
    TypeError,
  );
}

/** 4 or 6 for an IP literal, 0 otherwise (Node's net.isIP). */
export function ipFamily(host: string): 0 | 4 | 6 {
  return isIP(host) as 0 | 4 | 6;
}
