/**
 * The events of Socket and Server with their listener signatures, as Node documents them for
 * net.Socket and net.Server ('lookup' aside: synack resolves no names).
 */
import type { Socket } from './socket.js';

export interface SocketEvents {
  /** The handshake completed (client sockets only). */
  connect: () => void;
  /** Right after 'connect': the socket may be used. */
  ready: () => void;
  data: (data: Buffer) => void;
  /** The peer's FIN: no more data will arrive. */
  end: () => void;
  /** Our side has ended and everything was handed to TCP. */
  finish: () => void;
  /** The socket is fully closed; `hadError` says whether an error caused it. */
  close: (hadError: boolean) => void;
  error: (err: Error) => void;
  /** `setTimeout`'s idle time passed; the socket stays open. */
  timeout: () => void;
  /** The write buffer emptied after `write()` returned false. */
  drain: () => void;
  readable: () => void;
  pause: () => void;
  resume: () => void;
  pipe: (src: NodeJS.ReadableStream) => void;
  unpipe: (src: NodeJS.ReadableStream) => void;
}

/** What a server reports about a connection it dropped for maxConnections (Node's 'drop'). */
export interface DropInfo {
  localAddress: string;
  localPort: number;
  localFamily: 'IPv4' | 'IPv6';
  remoteAddress: string;
  remotePort: number;
  remoteFamily: 'IPv4' | 'IPv6';
}

export interface ServerEvents {
  listening: () => void;
  connection: (socket: Socket) => void;
  error: (err: Error) => void;
  close: () => void;
  drop: (data?: DropInfo) => void;
}
