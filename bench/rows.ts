/**
 * The benchmark rows of the issue, each a synack job and the alternative it is measured against.
 * Sizes come from the options; cases that would take too long at full size are calibrated with a
 * short run first and shrunk, and the row says so.
 */
import { spawnSync } from 'node:child_process';
import { runChild, type Metrics, type Params } from './child.js';
import { makeNamespace, deleteNamespace, makeVethPair, privilegeProblem } from './netns.js';
import type { BenchOptions, Section } from './options.js';
import { formatBytes, formatValue, type Unit } from './units.js';

export interface Job {
  /** Identical keys share results (an alternative measured once for several rows). */
  key: string;
  metric: string;
  run(): Promise<Metrics>;
  /** Adds notes from a run's metrics (e.g. a size that was reduced). */
  observe?(m: Metrics, notes: string[]): void;
}

export interface RowSpec {
  id: string;
  section: Section;
  label: string;
  unit: Unit;
  higherIsBetter: boolean;
  runs: number;
  synack: Job | undefined;
  alternative: Job | undefined;
  alternativeLabel: string;
  target?: { text: string; check(synack: { median: number }, ratio: number | undefined): boolean };
  notes: string[];
  /** Runs before the measured runs (calibration); may change the jobs' sizes and add notes. */
  prepare?(notes: string[]): Promise<void>;
}

const MB = 1024 * 1024;

function job(
  key: string,
  metric: string,
  caseName: string,
  params: () => Params,
  o: BenchOptions,
  extra: { nodeArgs?: string[]; prefix?: string[] } = {},
): Job {
  return {
    key: `${caseName} ${key}`,
    metric,
    run: () =>
      runChild(
        caseName,
        { ...params(), timeoutMs: o.childTimeout * 1000 - 5000 },
        {
          ...extra,
          timeoutMs: o.childTimeout * 1000,
        },
      ),
  };
}

/**
 * Shrinks a transfer so that one run takes about `seconds` at the speed a short calibration run
 * measured (never below `floor`); returns the new size and a note when it shrank.
 */
async function calibrateBytes(
  measure: (bytes: number) => Promise<Metrics>,
  wanted: number,
  seconds: number,
  floor: number,
): Promise<{ bytes: number; note?: string }> {
  const probe = Math.min(wanted, 32 * MB);
  const m = await measure(probe);
  const bps = typeof m.bitsPerSecond === 'number' ? m.bitsPerSecond : 0;
  if (bps <= 0 || probe === wanted) return { bytes: wanted };
  const fits = (bps / 8) * seconds;
  if (fits >= wanted) return { bytes: wanted };
  const bytes = Math.max(floor, Math.floor(fits / MB) * MB);
  return {
    bytes,
    note:
      `${formatBytes(bytes)} per run instead of ${formatBytes(wanted)} (at the calibrated ` +
      `${formatValue(bps, 'bit/s')} a run would take ${((wanted * 8) / bps).toFixed(0)} s)`,
  };
}

/** The two synack APIs measured: the stack's own TcpConnection, and the Node-compatible Socket. */
const APIS = [
  { api: 'bare', label: 'TcpConnection', bulkCase: 'synack-bulk', connCase: 'synack-connrate' },
  {
    api: 'socket',
    label: 'net.Socket',
    bulkCase: 'synack-net-bulk',
    connCase: 'synack-net-connrate',
  },
] as const;

/**
 * The bulk rows' link: with `offload` the SimNetwork offers checksum offload and GSO/GRO as a Linux
 * veth does (and the kernel's loopback: the alternative runs over lo with the same offloads); the
 * no-offload rows show the same transfer with every MSS-sized segment and checksum on the path.
 */
const BULK_SHAPES = [
  { mtu: 65535, offload: true, suffix: '', apis: ['bare', 'socket'] },
  { mtu: 65535, offload: false, suffix: '-no-offload', apis: ['bare'] },
  { mtu: 1500, offload: true, suffix: '', apis: ['bare', 'socket'] },
  { mtu: 1500, offload: false, suffix: '-no-offload', apis: ['bare'] },
] as const;

function bulkRows(o: BenchOptions): RowSpec[] {
  const rows: RowSpec[] = [];
  for (const { api, label: apiLabel, bulkCase } of APIS)
    for (const { mtu, offload, suffix, apis } of BULK_SHAPES) {
      if (!(apis as readonly string[]).includes(api)) continue;
      let bytes = o.bulkBytes;
      const synackParams = (): Params => ({
        bytes,
        writeSize: o.writeSize,
        mtu,
        offload,
        bufferSize: o.bufferSize ?? 0,
      });
      const synack = job(
        `mtu=${mtu}${offload ? ' offload' : ''}`,
        'bitsPerSecond',
        bulkCase,
        synackParams,
        o,
      );
      const alternative = job(
        '',
        'bitsPerSecond',
        'node-bulk',
        () => ({ bytes, writeSize: o.writeSize }),
        o,
      );
      // The alternative's key carries the size, so rows that shrank differently do not share it.
      Object.defineProperty(alternative, 'key', { get: () => `node-bulk ${bytes}` });
      rows.push({
        id: `bulk-${api}-${mtu}${suffix}`,
        section: 'bulk',
        label: `bulk, 1 connection, ${apiLabel}, MTU ${mtu}${offload ? '' : ', no offloads'}`,
        unit: 'bit/s',
        higherIsBetter: true,
        runs: o.runs,
        synack,
        alternative,
        alternativeLabel: 'Node net, loopback',
        target: {
          text: mtu === 65535 ? '≥ 1.0×' : '≥ 0.5×',
          check: (_s, r) => r !== undefined && r >= (mtu === 65535 ? 1.0 : 0.5),
        },
        notes: [
          `${formatBytes(o.writeSize)} writes; synack: two stacks in one process on SimNetwork (real clock); ` +
            `Node: client and server in one process over lo (MTU 65536)` +
            (o.bufferSize
              ? `; synack buffers ${formatBytes(o.bufferSize)}`
              : '; synack default buffers'),
          offload
            ? 'synack: GSO/GRO + checksum offload, as Linux veth (SimNetwork offload: true)'
            : `synack: no offloads — every segment ${mtu - 40} bytes on the path, full checksums; ` +
              "shown beside the offload row: Node's loopback has these offloads, so issue 6's bulk targets are read with them",
        ],
        async prepare(notes) {
          const r = await calibrateBytes(
            (b) =>
              runChild(
                bulkCase,
                { ...synackParams(), bytes: b, timeoutMs: 60_000 },
                { timeoutMs: 70_000 },
              ),
            o.bulkBytes,
            o.quick ? 5 : 20,
            8 * MB,
          );
          bytes = r.bytes;
          notes.push(`${formatBytes(bytes)} per run`);
          if (r.note) notes.push(r.note);
        },
      });
    }
  return rows;
}

/**
 * The connection-rate rows' link, as the bulk rows': with `offload` checksum offload (Linux's
 * loopback, which the alternative runs over, computes no TCP checksums either); the no-offload rows
 * show the same with every checksum computed and verified.
 */
const CONN_SHAPES = [
  { offload: true, suffix: '', apis: ['bare', 'socket'] },
  { offload: false, suffix: '-no-offload', apis: ['bare'] },
] as const;

function connRateRows(o: BenchOptions): RowSpec[] {
  const shapes = [
    { n: o.connsSequential, parallel: 1, label: 'sequential' },
    { n: o.connsParallel, parallel: o.parallel, label: `${o.parallel} in flight` },
  ];
  return CONN_SHAPES.flatMap(({ offload, suffix, apis }) =>
    APIS.filter(({ api }) => (apis as readonly string[]).includes(api)).flatMap(
      ({ api, label: apiLabel, connCase }) =>
        shapes.map(({ n, parallel, label }) =>
          connRateRow(o, { api, apiLabel, connCase, n, parallel, label, offload, suffix }),
        ),
    ),
  );
}

interface ConnRateShape {
  api: string;
  apiLabel: string;
  connCase: string;
  n: number;
  parallel: number;
  label: string;
  offload: boolean;
  suffix: string;
}

function connRateRow(o: BenchOptions, shape: ConnRateShape): RowSpec {
  const { api, apiLabel, connCase, n, parallel, label, offload, suffix } = shape;
  let conns = n;
  const warmup = o.connWarmup;
  const params = (): Params => ({ conns, parallel, warmup, offload });
  return {
    id: `connrate-${api}-${parallel}${suffix}`,
    section: 'connrate',
    label: `connect + 1-byte echo + close, ${apiLabel}, ${label}${offload ? '' : ', no offloads'}`,
    unit: 'conn/s',
    higherIsBetter: true,
    runs: o.runs,
    synack: job(`${parallel}${offload ? ' offload' : ''}`, 'connsPerSecond', connCase, params, o),
    alternative: job(
      `${n} ${parallel}`,
      'connsPerSecond',
      'node-connrate',
      () => ({ conns: n, parallel, warmup }),
      o,
    ),
    alternativeLabel: 'Node net, loopback',
    target: { text: '≥ 5×', check: (_s, r) => r !== undefined && r >= 5 },
    notes: [
      offload
        ? "synack: checksum offload, as the loopback Node's connections run over (SimNetwork offload: true)"
        : 'synack: no offloads — every TCP checksum computed and verified',
      ...(api === 'socket'
        ? [
            "the Node-compatible layer: each connection's two sockets are Node stream.Duplex objects, whose streams, EventEmitter and nextTick work Node's own net pays too; issue 6's 5× is the stack's (the TcpConnection rows)",
          ]
        : []),
    ],
    async prepare(notes) {
      // A run should take ~10 s at most: measure 300 connections first and shrink if needed.
      const probe = Math.min(300, n);
      const m = await runChild(
        connCase,
        { conns: probe, parallel, offload, timeoutMs: 60_000 },
        { timeoutMs: 70_000 },
      );
      const rate = typeof m.connsPerSecond === 'number' ? m.connsPerSecond : 0;
      const fits = Math.floor(rate * (o.quick ? 5 : 15));
      if (rate > 0 && fits < n) {
        conns = Math.max(probe, fits);
        notes.push(
          `synack: ${conns} connections per run instead of ${n} (calibrated at ${Math.round(rate)} conn/s)`,
        );
      }
      notes.push(
        `${conns} connections per synack run, ${n} per Node run, each timed after ${warmup} ` +
          "untimed warm-up connections in the same process (the JIT's warm-up is not the rate)",
      );
    },
  } satisfies RowSpec;
}

/** The hard limit on open files (what a child may raise its soft limit to). */
function openFileLimit(): number {
  const r = spawnSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' });
  const n = Number(r.stdout.trim());
  return r.stdout.trim() === 'unlimited' ? 1 << 20 : Number.isInteger(n) && n > 0 ? n : 1024;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor((s.length - 1) / 2)]!;
}

function memoryRows(o: BenchOptions): RowSpec[] {
  const rows: RowSpec[] = [];
  /** Per-endpoint figures seen by the rows above, for the "most endpoints" row. */
  const seen = { synackBare: [] as number[], nodeRss: [] as number[] };
  const gcArgs = ['--expose-gc', `--max-old-space-size=${Math.ceil(o.memBudget / MB)}`];
  const fdLimit = openFileLimit();
  const nodeMem = (wanted: number): Job => {
    // Each Node connection here is two descriptors (both ends in this process).
    const conns = Math.min(wanted, Math.floor((fdLimit - 500) / 2));
    const j = job(`${conns}`, 'rssPerEndpoint', 'node-memory', () => ({ conns }), o, {
      nodeArgs: ['--expose-gc'],
      prefix: ['sh', '-c', 'ulimit -n "$(ulimit -Hn)" && exec "$@"', 'sh'],
    });
    j.observe = (m, notes) => {
      if (conns < wanted) {
        const line = `Node net measured at ${conns} connections, not ${wanted}: the open-file limit here is ${fdLimit}`;
        if (!notes.includes(line)) notes.push(line);
      }
      if (typeof m.rssPerEndpoint === 'number') seen.nodeRss.push(m.rssPerEndpoint);
      const h = m.heapPerEndpoint;
      const line = `Node net: ${typeof h === 'number' ? Math.round(h) : '?'} B heap+external per endpoint (run); RSS excludes kernel socket memory`;
      if (!notes.some((n) => n.startsWith('Node net:'))) notes.push(line);
    };
    return j;
  };
  const synackMem = (conns: number, mode: 'bare' | 'socket'): Job => {
    const j = job(
      `${conns} ${mode}`,
      'heapPerEndpoint',
      'synack-memory',
      () => ({ conns, mode, budget: o.memBudget }),
      o,
      {
        nodeArgs: gcArgs,
      },
    );
    if (mode === 'bare') {
      j.observe = (m) => {
        if (typeof m.heapPerEndpoint === 'number') seen.synackBare.push(m.heapPerEndpoint);
      };
    }
    return j;
  };
  for (const mode of ['bare', 'socket'] as const) {
    for (const conns of o.memConns) {
      rows.push({
        id: `memory-${mode}-${conns}`,
        section: 'memory',
        label: `idle ESTABLISHED endpoint, ${mode === 'bare' ? 'bare stack' : 'net.Socket'}, ${conns} conns`,
        unit: 'B',
        higherIsBetter: false,
        runs: o.runs,
        synack: synackMem(conns, mode),
        alternative: nodeMem(conns),
        alternativeLabel: 'Node net (RSS)',
        target: {
          text: mode === 'bare' ? '≤ 1 KiB' : '≤ 4 KiB',
          check: (s) => s.median <= (mode === 'bare' ? 1024 : 4096),
        },
        notes: [
          'synack: heap+external after GC per endpoint, both ends of each connection in one process',
        ],
      });
    }
  }
  // The most concurrent bare endpoints within the budget.
  const target = o.maxEndpoints;
  let perEndpoint = 0;
  const maxJob: Job = {
    key: 'synack-max',
    metric: 'endpoints',
    // The figure is the budget ÷ the per-endpoint cost; when the target fits by that estimate it
    // is also verified by holding `target` endpoints in one child with a heap of the budget.
    async run(): Promise<Metrics> {
      const fit = perEndpoint > 0 ? Math.floor((o.memBudget * 0.9) / perEndpoint) : 0;
      if (target > 0 && fit >= target) {
        const m = await runChild(
          'synack-memory',
          {
            conns: Math.ceil(target / 2),
            mode: 'bare',
            budget: o.memBudget,
            timeoutMs: o.childTimeout * 1000,
          },
          { nodeArgs: gcArgs, timeoutMs: o.childTimeout * 1000 + 5000 },
        );
        const per = Number(m.heapPerEndpoint);
        if (m.probeOnly === true || !(per > 0)) {
          return { endpoints: o.memBudget / per, held: 0 };
        }
        return {
          endpoints: o.memBudget / per,
          held: Number(m.endpoints),
          heldBytes: Number(m.totalBytes),
        };
      }
      return { endpoints: perEndpoint > 0 ? o.memBudget / perEndpoint : NaN, held: 0 };
    },
    observe(m, notes) {
      const held = Number(m.held);
      notes.push(
        held > 0
          ? `synack: ${formatBytes(o.memBudget)} ÷ the per-endpoint cost measured while actually holding ` +
              `${held} endpoints in one process (${formatBytes(Number(m.heldBytes))} heap+external)`
          : `synack: extrapolated ${formatBytes(o.memBudget)} ÷ ${Math.round(perEndpoint)} B per endpoint ` +
              `(not held${target > 0 ? `: ${target} would not fit` : ''})`,
      );
    },
  };
  let nodeRss = 0;
  const nodeMax: Job = {
    key: 'node-max',
    metric: 'endpoints',
    run: async () => ({ endpoints: nodeRss > 0 ? o.memBudget / nodeRss : NaN }),
    observe: (_m, notes) => {
      notes.push(
        `Node net: extrapolated ${formatBytes(o.memBudget)} ÷ ${Math.round(nodeRss)} B RSS per endpoint (kernel memory not counted)`,
      );
    },
  };
  rows.push({
    id: 'memory-max',
    section: 'memory',
    label: `most bare endpoints within ${formatBytes(o.memBudget)}`,
    unit: 'endpoints',
    higherIsBetter: true,
    runs: 1,
    synack: maxJob,
    alternative: nodeMax,
    alternativeLabel: 'Node net (extrapolated)',
    target: { text: '≥ 1 M', check: (s) => s.median >= 1_000_000 },
    notes: ['one run (a capacity, not a timing)'],
    async prepare() {
      // The per-endpoint figures of the rows above (largest measurements last, so the median of
      // the runs at the largest size); measured afresh when those rows failed.
      const c = Math.min(...o.memConns);
      if (seen.synackBare.length === 0) {
        const s = await runChild(
          'synack-memory',
          { conns: c, mode: 'bare', budget: o.memBudget },
          { nodeArgs: gcArgs, timeoutMs: o.childTimeout * 1000 },
        );
        seen.synackBare.push(Number(s.heapPerEndpoint));
      }
      if (seen.nodeRss.length === 0)
        seen.nodeRss.push(Number((await nodeMem(c).run()).rssPerEndpoint));
      perEndpoint = median(seen.synackBare.slice(-o.runs));
      nodeRss = median(seen.nodeRss.slice(-o.runs));
    },
  });
  return rows;
}

/** Runs the two processes of a case; when one fails the other is killed at once (no waiting for its timeout). */
async function pairOfChildren(
  start: (signal: AbortSignal) => [Promise<Metrics>, Promise<Metrics>],
): Promise<[Metrics, Metrics]> {
  const ac = new AbortController();
  const [a, b] = start(ac.signal);
  const fail = (err: unknown): never => {
    ac.abort();
    throw err;
  };
  const both = await Promise.allSettled([a.catch(fail), b.catch(fail)]);
  const bad = both.find((r) => r.status === 'rejected');
  if (bad && bad.status === 'rejected') throw bad.reason;
  return [
    (both[0] as PromiseFulfilledResult<Metrics>).value,
    (both[1] as PromiseFulfilledResult<Metrics>).value,
  ];
}

function tunRows(o: BenchOptions): RowSpec[] {
  const problem = privilegeProblem();
  const rows: RowSpec[] = [];
  for (const mtu of [65535, 1500]) {
    for (const role of ['sink', 'source'] as const) {
      let bytes = Math.min(o.bulkBytes, o.quick ? 64 * MB : 1024 * MB);
      const timeoutMs = o.childTimeout * 1000;
      const synackRun = async (b: number): Promise<Metrics> => {
        const ns = makeNamespace();
        try {
          const common = {
            bytes: b,
            mtu,
            writeSize: o.writeSize,
            port: 5201,
            bufferSize: o.bufferSize ?? 0,
          };
          const ns1 = { prefix: ['ip', 'netns', 'exec', ns], timeoutMs };
          const [s, k] = await pairOfChildren((signal) => [
            runChild(
              'tun-synack',
              {
                ...common,
                role,
                // A virtio-net header with checksum offload and TSO/GSO both ways, as a VM's
                // virtio-net device (and the veth baseline, which has them by default).
                offload: 1,
                device: 'sbtun0',
                address: '198.18.2.2',
                hostAddress: '198.18.2.1',
                timeoutMs: timeoutMs - 5000,
              },
              { ...ns1, signal },
            ),
            role === 'sink'
              ? runChild(
                  'tcp-source',
                  { ...common, host: '198.18.2.2', timeoutMs: timeoutMs - 5000 },
                  { ...ns1, signal },
                )
              : runChild(
                  'tcp-sink',
                  { ...common, host: '198.18.2.1', timeoutMs: timeoutMs - 5000 },
                  { ...ns1, signal },
                ),
          ]);
          return role === 'sink' ? s : k;
        } finally {
          deleteNamespace(ns);
        }
      };
      const vethRun = async (): Promise<Metrics> => {
        const v = makeVethPair(mtu);
        try {
          const common = {
            bytes,
            writeSize: o.writeSize,
            port: 5201,
            host: v.addrB,
            timeoutMs: timeoutMs - 5000,
          };
          const [sink] = await pairOfChildren((signal) => [
            runChild('tcp-sink', common, {
              prefix: ['ip', 'netns', 'exec', v.b],
              timeoutMs,
              signal,
            }),
            runChild('tcp-source', common, {
              prefix: ['ip', 'netns', 'exec', v.a],
              timeoutMs,
              signal,
            }),
          ]);
          return sink;
        } finally {
          deleteNamespace(v.a);
          deleteNamespace(v.b);
        }
      };
      const dir = role === 'sink' ? 'kernel → synack' : 'synack → kernel';
      rows.push({
        id: `tun-${mtu}-${role}`,
        section: 'tun',
        label: `over TUN, MTU ${mtu}, ${dir}`,
        unit: 'bit/s',
        higherIsBetter: true,
        runs: problem ? 0 : o.runs,
        synack: problem
          ? undefined
          : { key: `tun ${mtu} ${role}`, metric: 'bitsPerSecond', run: () => synackRun(bytes) },
        alternative: problem
          ? undefined
          : { key: `veth ${mtu}`, metric: 'bitsPerSecond', run: vethRun },
        alternativeLabel: problem ? `skipped: ${problem}` : 'kernel ↔ kernel, veth',
        target:
          mtu === 65535
            ? { text: '≥ 0.5×', check: (_s, r) => r !== undefined && r >= 0.5 }
            : undefined,
        notes: problem
          ? []
          : [
              `${formatBytes(o.writeSize)} writes; each side a separate process; the receiver times first byte → last`,
              'TUN with a virtio-net header: checksum offload + TSO/GSO both ways (veth has them too)',
            ],
        prepare: problem
          ? undefined
          : async (notes) => {
              const r = await calibrateBytes(synackRun, bytes, o.quick ? 5 : 15, 8 * MB);
              bytes = r.bytes;
              notes.push(`${formatBytes(bytes)} per run`);
              if (r.note) notes.push(r.note);
            },
      });
    }
  }
  return rows;
}

function lossRows(o: BenchOptions): RowSpec[] {
  return o.lossRates.map((loss) => {
    let seed = 0;
    return {
      id: `loss-${loss}`,
      section: 'loss',
      label: `goodput, RTT 50 ms, loss ${loss} %`,
      unit: 'bit/s',
      higherIsBetter: true,
      runs: o.runs,
      synack: {
        key: `loss ${loss}`,
        metric: 'bitsPerSecond',
        run: () =>
          runChild(
            'synack-loss',
            {
              bytes: o.lossBytes,
              lossPercent: loss,
              seed: ++seed,
              bufferSize: 256 * 1024,
              timeoutMs: o.childTimeout * 1000,
            },
            { timeoutMs: o.childTimeout * 1000 },
          ),
      },
      alternative: undefined,
      alternativeLabel: 'kernel: n/a (tracked over time)',
      notes: [
        `${formatBytes(o.lossBytes)} per run on SimNetwork, virtual clock, 256 KiB buffers, loss each way, a seed per run`,
      ],
    } satisfies RowSpec;
  });
}

export function buildRows(o: BenchOptions): RowSpec[] {
  const rows: RowSpec[] = [];
  for (const s of o.sections) {
    if (s === 'bulk') rows.push(...bulkRows(o));
    else if (s === 'connrate') rows.push(...connRateRows(o));
    else if (s === 'memory') rows.push(...memoryRows(o));
    else if (s === 'tun') rows.push(...tunRows(o));
    else if (s === 'loss') rows.push(...lossRows(o));
  }
  return rows;
}
