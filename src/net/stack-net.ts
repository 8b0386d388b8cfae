/**
 * Every Stack offers the `net` module's connection functions — createServer, connect,
 * createConnection — with Node's signatures, so `function main(net) { net.createServer(…);
 * net.connect(…) }` runs with `net` being Node's module or a synack stack.
 *
 * Why module augmentation plus a prototype patch: the layering rule says a lower layer never
 * imports a higher one, so src/stack/stack.ts cannot import Socket and Server from here. Instead
 * this file (loaded by src/net/index.ts, which src/index.ts loads) declares the methods on the
 * Stack interface for TypeScript and installs them on Stack.prototype at load time. Importing
 * 'synack' therefore gives stacks that have them; the stack layer stays unaware of sockets.
 */
import { Stack } from '../stack/stack.js';
import { normalizeConnectArgs, type SocketConnectOptions } from './args.js';
import { Server, type ServerOptions } from './server.js';
import { Socket } from './socket.js';

declare module '../stack/stack.js' {
  interface Stack {
    /** Node's net.createServer([options][, connectionListener]). */
    createServer(connectionListener?: (socket: Socket) => void): Server;
    createServer(options?: ServerOptions, connectionListener?: (socket: Socket) => void): Server;
    /** Node's net.connect(options[, connectListener]) / connect(port[, host][, connectListener]). */
    connect(options: SocketConnectOptions, connectionListener?: () => void): Socket;
    connect(port: number, host?: string, connectionListener?: () => void): Socket;
    connect(port: number, connectionListener?: () => void): Socket;
    /** The same as connect(). */
    createConnection(options: SocketConnectOptions, connectionListener?: () => void): Socket;
    createConnection(port: number, host?: string, connectionListener?: () => void): Socket;
    createConnection(port: number, connectionListener?: () => void): Socket;
  }
}

export function createServer(
  stack: Stack,
  options?: ServerOptions | ((socket: Socket) => void),
  connectionListener?: (socket: Socket) => void,
): Server {
  if (typeof options === 'function') return new Server(stack, {}, options);
  return new Server(stack, options ?? {}, connectionListener);
}

export function connect(stack: Stack, ...args: unknown[]): Socket {
  const [opts, cb] = normalizeConnectArgs(args);
  const socket = new Socket({
    stack,
    ...(opts.allowHalfOpen !== undefined ? { allowHalfOpen: opts.allowHalfOpen } : {}),
    ...(opts.highWaterMark !== undefined ? { highWaterMark: opts.highWaterMark } : {}),
  });
  return cb ? socket.connect(opts, cb) : socket.connect(opts);
}

function install(): void {
  const proto = Stack.prototype as unknown as Record<string, unknown>;
  const methods: Record<string, (this: Stack, ...args: unknown[]) => unknown> = {
    createServer(this: Stack, ...args: unknown[]) {
      return createServer(
        this,
        args[0] as ServerOptions | ((s: Socket) => void) | undefined,
        args[1] as ((s: Socket) => void) | undefined,
      );
    },
    connect(this: Stack, ...args: unknown[]) {
      return connect(this, ...args);
    },
    createConnection(this: Stack, ...args: unknown[]) {
      return connect(this, ...args);
    },
  };
  for (const [name, fn] of Object.entries(methods)) {
    if (name in proto) continue;
    Object.defineProperty(proto, name, { value: fn, writable: true, configurable: true });
  }
}

install();
