/**
 * `synack web [--port N] [--dir DIR]`: serves the browser visualizer (the static folder that
 * `npm run build` writes to build/web) on localhost and prints its URL. Only loopback is bound:
 * the page is a local tool, and it makes no requests beyond its own files.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliCommand } from './command.js';

export const DEFAULT_WEB_PORT = 8080;

/** build/web beside the package root (this file runs from dist/src/cli/web.js). */
export function defaultWebRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../build/web');
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.map': 'application/json',
};

/** The same policy as the page's <meta> CSP, so the promise holds even if the page is edited. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

export interface WebServer {
  /** e.g. http://localhost:8080/ */
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface WebServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** The static folder (default build/web). */
  root?: string;
  /** Loopback address to bind (default 127.0.0.1). */
  host?: string;
}

export class WebError extends Error {
  constructor(
    message: string,
    readonly code: 'ENOTBUILT' | 'EINVAL' | 'EADDRINUSE' | 'EACCES',
  ) {
    super(message);
    this.name = 'WebError';
  }
}

/** Resolves a URL path inside root, or undefined when it escapes root or does not exist. */
function resolveFile(root: string, urlPath: string): string | undefined {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return undefined;
  }
  if (path.endsWith('/')) path += 'index.html';
  const file = resolve(root, '.' + path);
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  if (!existsSync(file) || !statSync(file).isFile()) return undefined;
  return file;
}

export function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const root = resolve(opts.root ?? defaultWebRoot());
  const host = opts.host ?? '127.0.0.1';
  if (!existsSync(join(root, 'index.html'))) {
    return Promise.reject(
      new WebError(
        `the page is not built (no ${join(root, 'index.html')}): run npm run build`,
        'ENOTBUILT',
      ),
    );
  }
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) {
    return Promise.reject(new WebError(`bad port ${String(opts.port)}`, 'EINVAL'));
  }
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = resolveFile(root, req.url ?? '/');
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Length': body.length,
      'Content-Security-Policy': CSP,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code === 'EADDRINUSE' || err.code === 'EACCES' ? err.code : 'EINVAL';
      reject(new WebError(`cannot listen on ${host}:${opts.port}: ${err.message}`, code));
    });
    server.listen(opts.port, host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : opts.port;
      const shown = host === '127.0.0.1' || host === '::1' ? 'localhost' : host;
      resolvePromise({
        url: `http://${shown}:${port}/`,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

const USAGE = `usage: synack web [--port N] [--dir DIR]
  Serves the interactive TCP visualizer on localhost and prints its URL.
  --port N    port to listen on (default ${DEFAULT_WEB_PORT}; 0 picks a free one)
  --dir DIR   the built page (default: build/web, written by npm run build)`;

export interface WebArgs {
  port: number;
  dir?: string;
  help: boolean;
}

export function parseWebArgs(args: string[]): WebArgs {
  const out: WebArgs = { port: DEFAULT_WEB_PORT, help: false };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const [flag, inline] =
      a.startsWith('--') && a.includes('=') ? a.split(/=(.*)/s, 2) : [a, undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined) throw new WebError(`${flag} needs a value`, 'EINVAL');
      return v;
    };
    if (flag === '--help' || flag === '-h') out.help = true;
    else if (flag === '--port' || flag === '-p') {
      const v = value();
      const n = Number(v);
      if (!/^\d+$/.test(v) || n > 65535) throw new WebError(`bad port '${v}'`, 'EINVAL');
      out.port = n;
    } else if (flag === '--dir') out.dir = value();
    else throw new WebError(`unknown option '${a}'\n${USAGE}`, 'EINVAL');
  }
  return out;
}

export const command: CliCommand = {
  summary: 'serve the interactive visualizer on localhost (--port N, default 8080)',
  async run(args: string[]): Promise<number> {
    const opts = parseWebArgs(args);
    if (opts.help) {
      console.log(USAGE);
      return 0;
    }
    const server = await startWebServer({ port: opts.port, root: opts.dir });
    console.log(`synack web: serving the visualizer at ${server.url}  (Ctrl-C to stop)`);
    await new Promise<void>((done) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(done);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
