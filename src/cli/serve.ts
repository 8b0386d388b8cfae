/**
 * `synack serve --tun NAME --ip ADDR --host-ip ADDR/PREFIX --port N --app APP`: a server on the
 * TUN device, answering the kernel's TCP. Prints one line when listening, then one line per
 * connection when it is gone: its peer, byte counts, the states it went through and how it ended.
 */
import type { CliCommand } from './command.js';
import { parseTunArgs, tunSettings, TUN_FLAGS_HELP, UsageError } from './tun-options.js';
import { describeError, startTun, type TunRuntime } from './tun-runtime.js';
import { AppConn, type RawApp } from '../apps/app.js';
import { APP_NAMES, RAW_APPS } from '../apps/index.js';
import { formatEndpoint } from '../wire/address.js';
import type { TcpConnection } from '../stack/tcp-connection.js';
import type { Stack } from '../stack/stack.js';
import type { HttpConnReport } from '../apps/http.js';

const HELP = `usage: synack serve --tun NAME --ip ADDR --host-ip ADDR/PREFIX [--ip6 ADDR --host-ip6 ADDR/PREFIX]
                    --port N --app ${APP_NAMES.join('|')} [options]

Apps:
  echo      echo every byte; close after the peer closes
  discard   read and drop everything; close after the peer closes
  chargen   send the RFC 864 pattern until the peer closes
  hold      accept and never read (the zero-window path)
  close     close right after accepting (the server closes first)
  shutwr    half-close right after accepting, read until the peer's FIN
  abort     abort (RST) right after accepting
  http      HTTP/1.1 (Node's http on synack sockets): GET /bytes/N, GET /
Listener:
  --backlog N             bound on the SYN and accept queues (default 511)

${TUN_FLAGS_HELP}`;

/** The line serve prints for a finished connection. */
export function connectionLine(c: AppConn): string {
  const t = c.conn.tuple;
  const end = c.error ? `error=${c.error.code}` : 'clean';
  const h = c.sha256();
  return (
    `conn ${formatEndpoint(t.remoteAddress, t.remotePort)} > ${formatEndpoint(t.localAddress, t.localPort)} ` +
    `rx=${c.rx} tx=${c.tx} states=${c.states.join('>')} ${end} rx-sha256=${h.rx} tx-sha256=${h.tx}`
  );
}

/** The line serve prints for a finished HTTP connection (a net Socket: no per-state history). */
export function httpConnectionLine(r: HttpConnReport): string {
  return (
    `conn ${formatEndpoint(r.remoteAddress, r.remotePort)} > ${formatEndpoint(r.localAddress, r.localPort)} ` +
    `rx=${r.bytesRead} tx=${r.bytesWritten} states=${r.state} ${r.error ? `error=${r.error}` : 'clean'}`
  );
}

async function loadHttp(): Promise<
  (
    stack: Stack,
    port: number,
    backlog: number,
    onDone: (r: HttpConnReport) => void,
  ) => Promise<void>
> {
  const mod = await import('../apps/http.js');
  return mod.serveHttp;
}

async function run(args: string[]): Promise<number> {
  let rt: TunRuntime | undefined;
  try {
    const { values, positionals } = parseTunArgs(args, {
      port: { type: 'string' },
      app: { type: 'string' },
      backlog: { type: 'string' },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const settings = tunSettings(values);
    const port = Number(values.port);
    if (values.port === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new UsageError('--port N (1..65535) is required');
    }
    const backlog = values.backlog === undefined ? 511 : Number(values.backlog);
    if (!Number.isInteger(backlog) || backlog < 1 || backlog > 65535) {
      throw new UsageError('--backlog wants an integer in 1..65535');
    }
    const appName = typeof values.app === 'string' ? values.app : 'echo';
    if (!(APP_NAMES as readonly string[]).includes(appName)) {
      throw new UsageError(`--app wants one of ${APP_NAMES.join(', ')}, not '${appName}'`);
    }
    const httpServe = appName === 'http' ? await loadHttp() : undefined;
    rt = startTun(settings, 'synack');
    const runtime = rt;
    const stack = rt.link.stack;
    const done = new Promise<void>((resolve) => {
      const stop = (): void => {
        // The device's counters show the batching (rxPackets / rxBatches packets per read callback).
        const d = runtime.link.device.counters;
        const c = runtime.link.stack.counters;
        console.log(
          `stats device rx=${d.rxPackets} rxBatches=${d.rxBatches} tx=${d.txPackets} ` +
            `txQueued=${d.txQueued} txDropped=${d.txDropped} stack TcpInSegs=${c.TcpInSegs} ` +
            `TcpOutSegs=${c.TcpOutSegs} TcpRetransSegs=${c.TcpRetransSegs} TcpInCsumErrors=${c.TcpInCsumErrors}`,
        );
        runtime.finish();
        resolve();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    const where = stack.addresses.map((a) => formatEndpoint(a, port)).join(' ');
    if (httpServe) {
      await httpServe(stack, port, backlog, (r) => console.log(httpConnectionLine(r)));
    } else {
      const app = RAW_APPS[appName] as RawApp;
      const listener = stack.openListener({ port, backlog });
      listener.onConnection = (conn: TcpConnection) => {
        const c = new AppConn(conn);
        app.start(c);
        const prev = c.onClosed;
        c.onClosed = () => {
          prev?.();
          console.log(connectionLine(c));
        };
        if (c.closed) console.log(connectionLine(c));
      };
    }
    console.log(`listening on ${where} (tun ${rt.link.device.name}, app ${appName})`);
    await done;
    return 0;
  } catch (err) {
    rt?.finish();
    const line = describeError(err);
    if (line === undefined) throw err;
    console.error(`synack serve: ${line}`);
    return err instanceof UsageError ? 2 : 1;
  }
}

export const command: CliCommand = {
  summary: 'serve echo|discard|chargen|hold|close|shutwr|abort|http on a TUN device',
  run,
};
