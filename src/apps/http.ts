/**
 * The `http` app: Node's own `http.Server` (its parser, keep-alive, chunking) serving on synack
 * connections. `GET /bytes/N` streams N bytes of the fixed pattern of http-pattern.ts with
 * Content-Length (flow-controlled: the next chunk is written on 'drain', so memory stays flat for
 * any N); `GET /` is a short page. Each connection still gets serve's per-connection line.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { AppConn } from './app.js';
import { ConnDuplex } from './conn-duplex.js';
import { patternBytes } from './http-pattern.js';
import type { Stack } from '../stack/stack.js';
import type { TcpConnection } from '../stack/tcp-connection.js';

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

/** Serves HTTP on `port` of the runtime's stack; `onDone` gets each finished connection. */
export async function serveHttp(
  stack: Stack,
  port: number,
  backlog: number,
  onDone: (c: AppConn) => void,
): Promise<void> {
  const server = createServer(handle);
  const listener = stack.openListener({ port, backlog });
  listener.onConnection = (conn: TcpConnection) => {
    const app = new AppConn(conn);
    app.onClosed = () => onDone(app);
    const socket = new ConnDuplex(app);
    socket.on('error', () => {
      // A reset or an abort: the per-connection line reports it.
    });
    server.emit('connection', socket);
    app.kick();
  };
}
