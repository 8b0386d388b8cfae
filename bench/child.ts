/**
 * Every measurement runs in a fresh child process (`node dist/bench/worker.js <case> <params>`):
 * no JIT state, garbage or open sockets carry from one run to the next, memory cases get their own
 * heap flags, and privileged cases can run inside a network namespace. The child prints progress on
 * stderr (passed through) and its result as one `@@result {json}` line on stdout.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Params = Record<string, number | string | boolean>;
export type Metrics = Record<string, number | string | boolean>;

export const RESULT_PREFIX = '@@result ';
let worker = join(dirname(fileURLToPath(import.meta.url)), 'worker.js');

/** Runs the children from another copy of the compiled tree (see snapshot.ts). */
export function setWorker(path: string): void {
  worker = path;
}

export interface ChildOptions {
  /** Extra node flags (--expose-gc, --max-old-space-size=…). */
  nodeArgs?: string[];
  /** A command the node process is run under, e.g. ['ip', 'netns', 'exec', 'ns1']. */
  prefix?: string[];
  /** Kill the child after this many ms. */
  timeoutMs: number;
  /** Kill the child when this aborts (its partner in a two-process case failed). */
  signal?: AbortSignal;
}

export class ChildError extends Error {}

export function runChild(caseName: string, params: Params, opts: ChildOptions): Promise<Metrics> {
  const argv = [...(opts.nodeArgs ?? []), worker, caseName, JSON.stringify(params)];
  const [cmd, ...args] = opts.prefix?.length
    ? [...opts.prefix, process.execPath, ...argv]
    : [process.execPath, ...argv];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      if (out.length > 1 << 20) out = out.slice(-(1 << 16));
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new ChildError(`${caseName}: cannot start ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (timedOut) {
        reject(
          new ChildError(`${caseName}: timed out after ${Math.round(opts.timeoutMs / 1000)} s`),
        );
        return;
      }
      if (line === undefined) {
        const why = signal ? `killed by ${signal}` : `exit code ${String(code)}`;
        reject(new ChildError(`${caseName}: no result (${why})`));
        return;
      }
      const body = JSON.parse(line.slice(RESULT_PREFIX.length)) as
        { ok: true; metrics: Metrics } | { ok: false; error: string };
      if (body.ok) resolve(body.metrics);
      else reject(new ChildError(`${caseName}: ${body.error}`));
    });
  });
}
