/**
 * `synack connect --tun NAME --ip ADDR --host-ip ADDR/PREFIX HOST PORT`: like `nc`. Standard input
 * goes to the connection and the connection to standard output, with flow control both ways (stdin
 * is paused while the send buffer is full; the connection is not read while stdout is backed up,
 * so our receive window closes). EOF on stdin is a half-close (RFC 9293 CLOSE: our FIN, reading
 * goes on). Exit status 0 when both directions closed cleanly; otherwise one line and status 1.
 *
 * The process exits once the connection reached TIME-WAIT or CLOSED with all data delivered: the
 * TIME-WAIT that follows our own close would only keep the command waiting 2·MSL.
 */
import type { CliCommand } from './command.js';
import { parseTunArgs, tunSettings, TUN_FLAGS_HELP, UsageError } from './tun-options.js';
import { describeError, startTun, type TunRuntime } from './tun-runtime.js';
import { ipVersion, formatEndpoint } from '../wire/address.js';
import type { TcpConnection } from '../stack/tcp-connection.js';
import type { TcpError } from '../tcp/events.js';
import type { TcpState } from '../tcp/state.js';

const HELP = `usage: synack connect --tun NAME --ip ADDR --host-ip ADDR/PREFIX [options] HOST PORT

stdin to the connection, the connection to stdout; EOF on stdin half-closes.
  -v, --verbose           print the connection's states and byte counts to stderr at the end

${TUN_FLAGS_HELP}`;

/** One line for each way a connection can fail (RFC 9293 error names → what `nc` users expect). */
export function errorLine(e: TcpError, where: string): string {
  switch (e.code) {
    case 'refused':
      return `connection to ${where} refused (ECONNREFUSED)`;
    case 'reset':
      return `connection to ${where} reset by peer (ECONNRESET)`;
    case 'timed-out':
      return `connection to ${where} timed out (ETIMEDOUT)`;
    case 'unreachable':
      return `${where} is unreachable (EHOSTUNREACH)`;
    case 'aborted':
      return `connection to ${where} aborted (ECONNABORTED)`;
  }
}

/** Waits until the stack is idle enough to exit: the link's queued writes are in the kernel. */
function settle(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

async function run(args: string[]): Promise<number> {
  let rt: TunRuntime | undefined;
  try {
    const { values, positionals } = parseTunArgs(args, {
      verbose: { type: 'boolean', short: 'v' },
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    const settings = tunSettings(values);
    if (positionals.length !== 2)
      throw new UsageError('HOST and PORT are required (synack connect … HOST PORT)');
    const host = positionals[0] as string;
    const port = Number(positionals[1]);
    const family = ipVersion(host);
    if (family === undefined) throw new UsageError(`HOST must be an IP address, not '${host}'`);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new UsageError(`PORT must be 1..65535, not '${positionals[1]}'`);
    if (family === 4 && !settings.ip) throw new UsageError('an IPv4 HOST needs --ip');
    if (family === 6 && !settings.ip6) throw new UsageError('an IPv6 HOST needs --ip6');
    rt = startTun(settings, 'synack');
    const conn = rt.link.stack.openConnection({ address: host, port });
    // Interrupted: ABORT (a RST, as a killed nc's kernel would send with data in flight); the
    // 'closed' event then ends the session with its one-line error.
    const interrupt = (): void => conn.abort();
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    const result = await session(conn, formatEndpoint(host, port), values.verbose === true);
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    await settle();
    rt.finish();
    return result;
  } catch (err) {
    rt?.finish();
    const line = describeError(err);
    if (line === undefined) throw err;
    console.error(`synack connect: ${line}`);
    return err instanceof UsageError ? 2 : 1;
  }
}

/** Pumps stdin → conn and conn → stdout; resolves to the exit status. */
function session(conn: TcpConnection, where: string, verbose: boolean): Promise<number> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    const stdout = process.stdout;
    const states: TcpState[] = [conn.state];
    let rx = 0;
    let tx = 0;
    let pending: Uint8Array | undefined;
    let stdinEnded = false;
    let sentFin = false;
    let peerFin = false;
    let stdoutEnded = false;
    let outBlocked = false;
    let established = false;
    let finished = false;

    const finish = (code: number, error?: TcpError): void => {
      if (finished) return;
      finished = true;
      stdin.pause();
      stdin.removeAllListeners('data');
      if (verbose) {
        const t = conn.tuple;
        console.error(
          `conn ${formatEndpoint(t.localAddress, t.localPort)} > ${where} rx=${rx} tx=${tx} ` +
            `states=${states.join('>')} ${error ? `error=${error.code}` : 'clean'}`,
        );
      }
      if (error) console.error(`synack connect: ${errorLine(error, where)}`);
      const done = (): void => resolve(code);
      if (!stdoutEnded) {
        stdoutEnded = true;
        stdout.end(done);
      } else done();
    };

    const flushIn = (): void => {
      while (pending && !finished) {
        const n = conn.write(pending);
        tx += n;
        if (n < pending.length) {
          pending = pending.subarray(n);
          return;
        }
        pending = undefined;
        stdin.resume();
      }
      if (!pending && stdinEnded && !sentFin && established) {
        sentFin = true;
        conn.close();
      }
    };

    const readOut = (): void => {
      for (let i = 0; i < 100_000 && !outBlocked && !finished; i++) {
        const b = conn.read(65536);
        if (b.length === 0) break;
        rx += b.length;
        if (!stdout.write(b)) {
          outBlocked = true;
          stdout.once('drain', () => {
            outBlocked = false;
            readOut();
          });
        }
      }
      maybeDone();
    };

    const maybeDone = (): void => {
      if (peerFin && conn.readableLength === 0 && !stdoutEnded && !outBlocked) {
        stdoutEnded = true;
        stdout.end();
      }
      // The state as far as the events delivered so far tell (conn.state may be ahead of them).
      const s = states[states.length - 1];
      // Both directions are over once our FIN was acknowledged and theirs read (TIME-WAIT), or the
      // peer closed first and our FIN was acknowledged (CLOSED, via the 'closed' event).
      if (s === 'TIME-WAIT' && stdoutEnded) finish(0);
    };

    conn.onEvent = (ev) => {
      switch (ev.type) {
        case 'state':
          states.push(ev.to);
          maybeDone();
          return;
        case 'established':
          established = true;
          stdin.resume();
          flushIn();
          return;
        case 'readable':
          readOut();
          return;
        case 'writable':
          flushIn();
          return;
        case 'peer-fin':
          peerFin = true;
          readOut();
          return;
        case 'closed':
          if (ev.error) finish(1, ev.error);
          else {
            readOut();
            finish(0);
          }
          return;
        default:
          return;
      }
    };

    stdin.on('data', (chunk: Buffer) => {
      pending = pending ? Buffer.concat([pending, chunk]) : chunk;
      stdin.pause();
      flushIn();
    });
    stdin.on('end', () => {
      stdinEnded = true;
      flushIn();
    });
    stdin.on('error', () => {
      stdinEnded = true;
      flushIn();
    });
    stdout.on('error', () => {
      // The reader went away (EPIPE): stop receiving, as nc does.
      conn.abort();
    });
    stdin.pause();
  });
}

export const command: CliCommand = {
  summary: 'connect to HOST PORT through a TUN device, like nc',
  run,
};
