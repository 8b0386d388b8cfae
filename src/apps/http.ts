/**
 * The `http` app: Node's own `http.Server` (its parser, keep-alive, chunking) serving on synack's
 * Node-compatible sockets (src/net): the synack net.Server hands each accepted Socket to the HTTP
 * server as Node's own net.Server would. `GET /bytes/N` streams N bytes of the fixed pattern of
 * http-pattern.ts with Content-Length (flow-controlled: the next chunk is written on 'drain', so
 * memory stays flat for any N); `GET /` is a short page.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { patternBytes } from './http-pattern.js';
import type { Stack } from '../stack/stack.js';
import type { Socket } from '../net/socket.js';
import '../net/index.js';

/** What serve prints for a finished HTTP connection. */
export interface HttpConnReport {
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  bytesRead: number;
  bytesWritten: number;
  /** The TCP state when the socket closed (TIME-WAIT, LAST-ACK, CLOSED …). */
  state: string;
  /** The error code (ECONNRESET …) if the socket closed with an error. */
  error?: string;
}

const CHUNK = 64 * 1024;
/** The largest body /bytes/N serves: 1 TiB is far beyond any test and still a safe integer. */
const MAX_BYTES = 2 ** 40;

const PAGE = `<!doctype html>
<html><head><title>synack</title></head>
<body><h1>synack</h1>
<p>This page came over synack, a TCP written in TypeScript, on a TUN device.</p>
<p><a href="/bytes/1048576">/bytes/N</a> streams N bytes of a fixed pseudo-random pattern.</p>
</body></html>
`;

function streamBytes(res: ServerResponse, total: number): void {
  res.writeHead(200, {
    'content-type': 'application/octet-stream',
    'content-length': String(total),
  });
  let sent = 0;
  const more = (): void => {
    while (sent < total) {
      const chunk = patternBytes(sent, Math.min(CHUNK, total - sent));
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', more);
        return;
      }
    }
    res.end();
  };
  res.on('close', () => {
    sent = total;
  });
  more();
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
    res.end('method not allowed\n');
    return;
  }
  const url = req.url ?? '/';
  const m = /^\/bytes\/(\d{1,16})$/.exec(url);
  if (m) {
    const n = Number(m[1]);
    if (n > MAX_BYTES) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(`at most ${MAX_BYTES} bytes\n`);
      return;
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, {
        'content-type': 'application/octet-stream',
        'content-length': String(n),
      });
      res.end();
      return;
    }
    streamBytes(res, n);
    return;
  }
  if (url === '/') {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': String(Buffer.byteLength(PAGE)),
    });
    res.end(req.method === 'HEAD' ? undefined : PAGE);
    return;
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('not found\n');
}

/** Serves HTTP on `port` of the stack; `onDone` gets each finished connection. */
export function serveHttp(
  stack: Stack,
  port: number,
  backlog: number,
  onDone: (r: HttpConnReport) => void,
): Promise<void> {
  const http = createServer(handle);
  const server = stack.createServer((socket: Socket) => {
    const tuple = {
      remoteAddress: socket.remoteAddress ?? '',
      remotePort: socket.remotePort ?? 0,
      localAddress: socket.localAddress ?? '',
      localPort: socket.localPort ?? 0,
    };
    let error: string | undefined;
    socket.on('error', (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on('close', () => {
      const r: HttpConnReport = {
        ...tuple,
        bytesRead: socket.bytesRead,
        bytesWritten: socket.bytesWritten,
        state: socket.tcpState,
      };
      if (error) r.error = error;
      onDone(r);
    });
    // As Node's own net.Server does for http.Server: the socket is the HTTP connection.
    http.emit('connection', socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, backlog }, () => resolve());
  });
}
