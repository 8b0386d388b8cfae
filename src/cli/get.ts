/**
 * `synack get --tun NAME --ip ADDR --host-ip ADDR/PREFIX URL`: an HTTP/1.1 GET through the stack
 * (RFC 9112 over a synack TcpConnection), the body to stdout or `--out FILE`, a progress bar on
 * stderr while it runs (when stderr is a terminal, or with --progress), and at the end the body's
 * SHA-256 and the throughput. Exit status 0 for a complete 2xx body, 1 otherwise.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import type { CliCommand } from './command.js';
import { parseTunArgs, tunSettings, TUN_FLAGS_HELP, UsageError } from './tun-options.js';
import { describeError, startTun, type TunRuntime } from './tun-runtime.js';
import { errorLine } from './connect.js';
import { HttpResponseParser } from '../apps/http-response.js';
import { formatEndpoint, ipVersion } from '../wire/address.js';
import type { TcpConnection } from '../stack/tcp-connection.js';
import type { TcpError } from '../tcp/events.js';

const HELP = `usage: synack get --tun NAME --ip ADDR --host-ip ADDR/PREFIX [options] http://HOST[:PORT]/PATH

  --out FILE              write the body to FILE instead of stdout
  --progress              draw the progress bar even when stderr is not a terminal
  -q, --quiet             no progress bar and no summary

${TUN_FLAGS_HELP}`;

const MiB = 1024 * 1024;

function human(n: number): string {
  if (n >= 1024 * MiB) return `${(n / 1024 / MiB).toFixed(2)} GiB`;
  if (n >= MiB) return `${(n / MiB).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}

/** A one-line progress bar (rewritten in place with \r). */
export function progressLine(
  got: number,
  total: number | undefined,
  elapsedMs: number,
  width = 30,
): string {
  const rate = elapsedMs > 0 ? (got / MiB / (elapsedMs / 1000)).toFixed(1) : '0.0';
  if (total === undefined || total === 0) return `${human(got)} ${rate} MiB/s`;
  const frac = Math.min(1, got / total);
  const full = Math.round(frac * width);
  return `[${'#'.repeat(full)}${' '.repeat(width - full)}] ${(frac * 100).toFixed(0).padStart(3)}% ${human(got)} / ${human(total)} ${rate} MiB/s`;
}

interface Target {
  host: string;
  port: number;
  path: string;
  hostHeader: string;
}

function parseTarget(url: string): Target {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`not a URL: '${url}'`);
  }
  if (u.protocol !== 'http:') throw new UsageError(`only http:// URLs, not '${u.protocol}'`);
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  if (ipVersion(host) === undefined)
    throw new UsageError(`the URL's host must be an IP address (no DNS here), not '${host}'`);
  const port = u.port === '' ? 80 : Number(u.port);
  return { host, port, path: `${u.pathname || '/'}${u.search}`, hostHeader: u.host };
}

async function run(args: string[]): Promise<number> {
  let rt: TunRuntime | undefined;
  try {
    const { values, positionals } = parseTunArgs(args, {
      out: { type: 'string' },
      progress: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const settings = tunSettings(values);
    if (positionals.length !== 1)
      throw new UsageError('one URL is required (synack get … http://HOST:PORT/PATH)');
    const target = parseTarget(positionals[0] as string);
    const family = ipVersion(target.host);
    if (family === 4 && !settings.ip) throw new UsageError('an IPv4 host needs --ip');
    if (family === 6 && !settings.ip6) throw new UsageError('an IPv6 host needs --ip6');
    const out: Writable =
      typeof values.out === 'string' ? createWriteStream(values.out) : process.stdout;
    const quiet = values.quiet === true;
    const bar = !quiet && (values.progress === true || process.stderr.isTTY === true);
    rt = startTun(settings, 'synack');
    const conn = rt.link.stack.openConnection({ address: target.host, port: target.port });
    // Interrupted: ABORT the connection; the transfer then ends with its one-line error.
    const interrupt = (): void => conn.abort();
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    const code = await fetchInto(conn, target, out, { bar, quiet });
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await new Promise<void>((r) => setImmediate(r));
    rt.finish();
    return code;
  } catch (err) {
    rt?.finish();
    const line = describeError(err);
    if (line === undefined) throw err;
    console.error(`synack get: ${line}`);
    return err instanceof UsageError ? 2 : 1;
  }
}

function fetchInto(
  conn: TcpConnection,
  t: Target,
  out: Writable,
  o: { bar: boolean; quiet: boolean },
): Promise<number> {
  const where = formatEndpoint(t.host, t.port);
  return new Promise((resolve) => {
    const parser = new HttpResponseParser();
    const hash = createHash('sha256');
    let start = 0;
    let lastDraw = 0;
    let outBlocked = false;
    let closing = false;
    let finished = false;
    const request = new TextEncoder().encode(
      `GET ${t.path} HTTP/1.1\r\nHost: ${t.hostHeader}\r\nUser-Agent: synack/0.1\r\nAccept: */*\r\nConnection: close\r\n\r\n`,
    );
    let reqSent = 0;

    parser.onBody = (b) => {
      hash.update(b);
      if (!out.write(b)) outBlocked = true;
    };

    const draw = (force: boolean): void => {
      if (!o.bar) return;
      const now = performance.now();
      if (!force && now - lastDraw < 100) return;
      lastDraw = now;
      process.stderr.write(
        `\r${progressLine(parser.bodyBytes, parser.contentLength, now - start)}\x1b[K`,
      );
    };

    const finish = (code: number, message?: string): void => {
      if (finished) return;
      finished = true;
      if (o.bar) {
        draw(true);
        process.stderr.write('\n');
      }
      const elapsed = (performance.now() - start) / 1000;
      const done = (): void => {
        if (message) console.error(`synack get: ${message}`);
        else if (!o.quiet) {
          const rate = elapsed > 0 ? parser.bodyBytes / MiB / elapsed : 0;
          console.error(`sha256 ${hash.digest('hex')}`);
          console.error(
            `${parser.bodyBytes} bytes in ${elapsed.toFixed(2)} s (${rate.toFixed(1)} MiB/s)`,
          );
        }
        resolve(code);
      };
      if (out === process.stdout) out.write('', done);
      else out.end(done);
    };

    const complete = (): void => {
      const h = parser.head;
      if (!h) return finish(1, `${where} closed before a response`);
      if (h.status < 200 || h.status > 299) return finish(1, `HTTP ${h.status} ${h.reason}`.trim());
      finish(0);
    };

    let peerFin = false;
    let waitingDrain = false;
    const readIn = (): void => {
      for (let i = 0; i < 100_000 && !outBlocked && !finished; i++) {
        const b = conn.read(65536);
        if (b.length === 0) break;
        parser.push(b);
        if (parser.error) {
          conn.abort();
          return finish(1, `bad response: ${parser.error.detail}`);
        }
      }
      if (outBlocked) {
        if (!waitingDrain) {
          waitingDrain = true;
          out.once('drain', () => {
            waitingDrain = false;
            outBlocked = false;
            readIn();
          });
        }
        return;
      }
      draw(false);
      if (peerFin && conn.readableLength === 0 && !parser.done && !finished) {
        // The server's FIN, after everything it sent was read: the end of a read-until-close body,
        // or a truncated one.
        if (!parser.end()) {
          if (!parser.head) return finish(1, `${where} closed before a response`);
          return finish(
            1,
            `${where} closed the connection ${parser.bodyBytes} bytes into the body (truncated)`,
          );
        }
      }
      if ((parser.done || peerFin) && !closing) {
        closing = true;
        conn.close();
      }
    };

    const sendReq = (): void => {
      if (reqSent < request.length) reqSent += conn.write(request.subarray(reqSent));
    };

    conn.onEvent = (ev) => {
      switch (ev.type) {
        case 'established':
          start = performance.now();
          sendReq();
          return;
        case 'writable':
          sendReq();
          return;
        case 'readable':
          readIn();
          return;
        case 'peer-fin':
          peerFin = true;
          readIn();
          return;
        case 'state':
          if (ev.to === 'TIME-WAIT' && parser.done) complete();
          return;
        case 'closed':
          if (ev.error) return finish(1, errorLine(ev.error as TcpError, where));
          readIn();
          if (parser.done || parser.end()) complete();
          else finish(1, `${where} closed the connection early`);
          return;
        default:
          return;
      }
    };
  });
}

export const command: CliCommand = {
  summary: 'HTTP GET a URL through a TUN device (progress, SHA-256, throughput)',
  run,
};
