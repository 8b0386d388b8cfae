/**
 * `npm run bench -- [flags]`: which sections run and at what sizes. Defaults are the sizes;
 * `--quick` shrinks every case so the whole table takes about a minute (and says so in each row).
 */
import { parseSize } from './units.js';

export const SECTIONS = ['bulk', 'connrate', 'memory', 'tun', 'loss'] as const;
export type Section = (typeof SECTIONS)[number];

export interface BenchOptions {
  sections: Section[];
  /** Runs per figure (median of these); at least 3 unless --runs says otherwise in a smoke run. */
  runs: number;
  quick: boolean;
  /** Bulk transfer size per run, bytes. */
  bulkBytes: number;
  /** Bytes per write() call, both for synack and Node `net`. */
  writeSize: number;
  /** synack's send and receive buffer for the bulk and TUN cases (undefined: the engine default). */
  bufferSize: number | undefined;
  /** Connections per connection-rate run: sequential, and with `parallel` in flight. */
  connsSequential: number;
  connsParallel: number;
  parallel: number;
  /**
   * Untimed connections each connection-rate run makes first (synack and Node alike), so that the
   * figure is the steady state rather than the JIT's warm-up (which dominates a 5,000 run).
   */
  connWarmup: number;
  /** Idle connections for the memory rows (each is two endpoints in one process). */
  memConns: number[];
  /** The heap the memory children get, and the "most connections within" budget. */
  memBudget: number;
  /** Try to actually hold this many bare endpoints (0 = extrapolate from the per-endpoint figure). */
  maxEndpoints: number;
  /** Bytes per goodput-under-loss run, and the loss rates. */
  lossBytes: number;
  lossRates: number[];
  /** Where results.json goes. */
  out: string;
  /** Bound on one child process, seconds. */
  childTimeout: number;
}

export class UsageError extends Error {}

export const USAGE = `usage: npm run bench -- [--quick] [--only ${SECTIONS.join(',')}] [--runs N]
  [--bulk-size 1G] [--write-size 64k] [--buffer 256k] [--conns 20000] [--conns-parallel 20000]
  [--conn-warmup 2000]
  [--parallel 128] [--mem-conns 10000,100000] [--mem-budget 4G] [--max-endpoints 1000000]
  [--loss-size 16M] [--loss 0,0.1,1,5] [--out bench/results.json] [--child-timeout 300]`;

function full(): BenchOptions {
  return {
    sections: [...SECTIONS],
    runs: 3,
    quick: false,
    bulkBytes: 1024 ** 3,
    writeSize: 64 * 1024,
    bufferSize: undefined,
    connsSequential: 20000,
    connsParallel: 20000,
    parallel: 128,
    connWarmup: 2000,
    memConns: [10_000, 100_000],
    memBudget: 4 * 1024 ** 3,
    maxEndpoints: 1_000_000,
    lossBytes: 16 * 1024 ** 2,
    lossRates: [0, 0.1, 1, 5],
    out: 'bench/results.json',
    childTimeout: 300,
  };
}

function quickDefaults(o: BenchOptions): void {
  o.quick = true;
  o.bulkBytes = 64 * 1024 ** 2;
  o.connsSequential = 1000;
  o.connsParallel = 4000;
  o.connWarmup = 500;
  o.memConns = [2000, 10_000];
  o.maxEndpoints = 0;
  o.lossBytes = 2 * 1024 ** 2;
  o.childTimeout = 120;
}

function int(flag: string, v: string | undefined, min: number): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < min) {
    throw new UsageError(`${flag} needs an integer >= ${min}, got ${String(v)}`);
  }
  return n;
}

function size(flag: string, v: string | undefined): number {
  const n = v === undefined ? undefined : parseSize(v);
  if (n === undefined)
    throw new UsageError(`${flag} needs a size like 64k, 16M or 1G, got ${String(v)}`);
  return n;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const o = full();
  // --quick first so that explicit sizes given with it win, whatever the order of the flags.
  if (argv.includes('--quick')) quickDefaults(o);
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const eq = flag.indexOf('=');
    const name = eq >= 0 ? flag.slice(0, eq) : flag;
    const value = (): string | undefined => (eq >= 0 ? flag.slice(eq + 1) : argv[++i]);
    switch (name) {
      case '--quick':
        break;
      case '--only': {
        const list = (value() ?? '').split(',').filter(Boolean);
        for (const s of list) {
          if (!(SECTIONS as readonly string[]).includes(s)) {
            throw new UsageError(`--only: unknown section '${s}' (${SECTIONS.join(', ')})`);
          }
        }
        if (list.length === 0) throw new UsageError('--only needs a section list');
        o.sections = list as Section[];
        break;
      }
      case '--runs':
        o.runs = int(name, value(), 1);
        break;
      case '--bulk-size':
        o.bulkBytes = size(name, value());
        break;
      case '--write-size':
        o.writeSize = size(name, value());
        break;
      case '--buffer':
        o.bufferSize = size(name, value());
        break;
      case '--conns':
        o.connsSequential = int(name, value(), 1);
        break;
      case '--conns-parallel':
        o.connsParallel = int(name, value(), 1);
        break;
      case '--conn-warmup':
        o.connWarmup = int(name, value(), 0);
        break;
      case '--parallel':
        o.parallel = int(name, value(), 1);
        break;
      case '--mem-conns':
        o.memConns = (value() ?? '').split(',').map((s) => int(name, s, 1));
        break;
      case '--mem-budget':
        o.memBudget = size(name, value());
        break;
      case '--max-endpoints':
        o.maxEndpoints = int(name, value(), 0);
        break;
      case '--loss-size':
        o.lossBytes = size(name, value());
        break;
      case '--loss':
        o.lossRates = (value() ?? '').split(',').map((s) => {
          const p = Number(s);
          if (s === '' || !(p >= 0 && p < 100))
            throw new UsageError(`--loss: bad percentage '${s}'`);
          return p;
        });
        break;
      case '--out':
        o.out = value() ?? '';
        if (!o.out) throw new UsageError('--out needs a path');
        break;
      case '--child-timeout':
        o.childTimeout = int(name, value(), 1);
        break;
      case '--help':
      case '-h':
        throw new UsageError(USAGE);
      default:
        throw new UsageError(`unknown flag '${flag}'\n${USAGE}`);
    }
  }
  return o;
}
