/**
 * The slice of Node's `net` API the socket-level cases use, as a structural type that both Node's
 * own module and a synack Stack (with src/net installed) satisfy, so that one function measures
 * both: the same code, only the `net` differs.
 */
export interface MiniSocket {
  write(data: Uint8Array, cb?: () => void): boolean;
  end(cb?: () => void): unknown;
  destroy(): unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
  once(event: string, listener: (...args: never[]) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
}

export interface MiniServer {
  listen(options: { port: number; host: string; backlog?: number }, cb: () => void): unknown;
  address(): unknown;
  close(): unknown;
}

export interface MiniNet {
  createServer(listener: (s: MiniSocket) => void): MiniServer;
  connect(options: { port: number; host: string }): MiniSocket;
}

export function listeningPort(server: MiniServer): number {
  const a = server.address() as { port?: number } | null;
  if (!a || typeof a.port !== 'number') throw new Error('server has no port');
  return a.port;
}
