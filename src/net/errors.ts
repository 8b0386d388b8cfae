/**
 * Node-style errors, built the way Node builds them (lib/internal/errors.js: uvException,
 * exceptionWithHostPort): an `Error` whose message is "<syscall> <CODE> <address>:<port>", with
 * `errno` (the negative libuv number, which on Linux is −errno), `code`, `syscall`, `address` and
 * `port`. This is the only layer that speaks in these codes; the engine's errors are data
 * (TcpError in src/tcp/events.ts) and are mapped here.
 */
import { constants } from 'node:os';
import type { TcpErrorCode } from '../tcp/events.js';

export type NetErrorCode =
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'ETIMEDOUT'
  | 'EPIPE'
  | 'EADDRINUSE'
  | 'EADDRNOTAVAIL'
  | 'EHOSTUNREACH'
  | 'ECONNABORTED'
  | 'EAGAIN'
  | 'EINVAL'
  | 'ENOTFOUND';

export type NetSyscall = 'connect' | 'read' | 'write' | 'listen' | 'bind' | 'getaddrinfo';

/** The error objects src/net emits: Node's ErrnoException shape with the fields narrowed. */
export interface NetError extends Error {
  code: NetErrorCode;
  errno: number;
  syscall: NetSyscall;
  address?: string;
  port?: number;
  hostname?: string;
}

/** Node's own error for misuse (ERR_SERVER_NOT_RUNNING, ERR_SOCKET_BAD_PORT …): a code, no errno. */
export interface NodeCodeError extends Error {
  code: string;
}

/** libuv's strerror texts for the codes Node puts in `listen` messages ("address already in use"). */
const DESCRIPTIONS: Partial<Record<NetErrorCode, string>> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available',
};

/** -errno as libuv reports it; ENOTFOUND is getaddrinfo's EAI_NONAME (UV_EAI_NONAME = −3008). */
export function uvErrno(code: NetErrorCode): number {
  if (code === 'ENOTFOUND') return -3008;
  const n = (constants.errno as Record<string, number | undefined>)[code];
  return n === undefined ? -1 : -n;
}

function endpoint(address: string, port: number): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/**
 * "connect ECONNREFUSED 198.18.0.2:80" — the shape of Node's exceptionWithHostPort. Node's IPv6
 * addresses are printed bare (no brackets) in these messages; so are ours.
 */
export function netError(
  code: NetErrorCode,
  syscall: NetSyscall,
  address?: string,
  port?: number,
  extra?: string,
): NetError {
  let message = `${syscall} ${code}`;
  const description = syscall === 'listen' ? DESCRIPTIONS[code] : undefined;
  if (description) message += `: ${description}`;
  if (address !== undefined) {
    message += port !== undefined && port > 0 ? ` ${address}:${port}` : ` ${address}`;
  }
  if (extra) message += ` - ${extra}`;
  const err = new Error(message) as NetError;
  err.errno = uvErrno(code);
  err.code = code;
  err.syscall = syscall;
  if (address !== undefined) err.address = address;
  if (port !== undefined && port > 0) err.port = port;
  return err;
}

/** "getaddrinfo ENOTFOUND host": we resolve no names, so a non-literal host fails like a failed lookup. */
export function notFoundError(hostname: string): NetError {
  const err = new Error(`getaddrinfo ENOTFOUND ${hostname}`) as NetError;
  err.errno = uvErrno('ENOTFOUND');
  err.code = 'ENOTFOUND';
  err.syscall = 'getaddrinfo';
  err.hostname = hostname;
  return err;
}

/** Node's internal NodeError: `code` and a fixed message, e.g. ERR_SERVER_NOT_RUNNING. */
export function nodeError(
  code: string,
  message: string,
  ctor: ErrorConstructor = Error,
): NodeCodeError {
  const err = new ctor(message) as NodeCodeError;
  err.code = code;
  return err;
}

/** What Node's net.Socket write does after the peer's FIN ended the socket (allowHalfOpen false). */
export function epipeAfterFin(): NodeCodeError {
  const err = new Error('This socket has been ended by the other party') as NodeCodeError;
  err.code = 'EPIPE';
  return err;
}

/**
 * The engine's reason a connection died, as the error Node reports for it. `connecting` says whether
 * the handshake was still in progress (Node's syscall is 'connect' then, 'read' afterwards).
 */
export function fromTcpError(
  code: TcpErrorCode,
  connecting: boolean,
  remoteAddress: string,
  remotePort: number,
): NetError | undefined {
  switch (code) {
    case 'refused':
      // RFC 9293 §3.10.7.3: a RST answering our SYN.
      return netError('ECONNREFUSED', 'connect', remoteAddress, remotePort);
    case 'reset':
      // §3.10.7.4: a RST on a synchronized connection; Node sees it from read().
      return netError('ECONNRESET', 'read');
    case 'timed-out':
      // §3.8.3 R2: retransmissions gave up. During the handshake Node reports it from connect().
      return connecting
        ? netError('ETIMEDOUT', 'connect', remoteAddress, remotePort)
        : netError('ETIMEDOUT', 'read');
    case 'unreachable':
      return netError('EHOSTUNREACH', 'connect', remoteAddress, remotePort);
    case 'aborted':
      // Our own ABORT (destroy, resetAndDestroy): not an error the socket reports.
      return undefined;
  }
}

export { endpoint as formatEndpoint };
