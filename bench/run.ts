/**
 * `npm run bench`: synack side by side with the kernel's TCP it would replace, in the same run on
 * the same machine. Each figure is the median of `--runs` runs (min–max alongside), synack and its
 * alternative interleaved run by run so that a burst of load on the shared machine hits both. Every
 * run is a fresh child process (child.ts). Progress goes to stderr; the table to stdout and
 * bench/results.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { ChildError, runChild, setWorker, type Metrics, type Params } from './child.js';
import { snapshotDist } from './snapshot.js';
import { parseOptions, UsageError, type BenchOptions } from './options.js';
import { buildRows, type RowSpec } from './rows.js';
import { ratio, summarize } from './stats.js';
import { renderTable, type RowResult } from './table.js';
import { formatValue } from './units.js';
import { cleanup, cleanupOnSignals } from './netns.js';

export { runChild, type Metrics, type Params };

function log(msg: string): void {
  process.stderr.write(`${msg}\n`);
}

function metricOf(m: Metrics, key: string): number {
  const v = m[key];
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new ChildError(`result has no number '${key}'`);
  return v;
}

/** A rate figure re-expressed per CPU-second: value × wall seconds ÷ CPU seconds. */
function perCpuSecond(m: Metrics, key: string): number | undefined {
  const v = m[key];
  const wall = m.seconds;
  const cpu = m.cpuSeconds;
  if (typeof v !== 'number' || typeof wall !== 'number' || typeof cpu !== 'number' || cpu <= 0) {
    return undefined;
  }
  return (v * wall) / cpu;
}

async function runRow(spec: RowSpec, cache: Map<string, Promise<Metrics>>): Promise<RowResult> {
  const notes = [...spec.notes];
  const errors: string[] = [];
  if (spec.prepare) {
    try {
      await spec.prepare(notes);
    } catch (err) {
      errors.push(`calibration: ${(err as Error).message}`);
    }
  }
  const synackValues: number[] = [];
  const altValues: number[] = [];
  // The same figure per CPU-second of the measuring process (when the case reports cpuSeconds): on
  // a machine shared with other work it moves less than wall-clock figures do.
  const synackCpu: number[] = [];
  const altCpu: number[] = [];
  let synackFailed = errors.length > 0 && !spec.synack;
  let altFailed = false;
  const runs = spec.runs;
  for (let i = 0; i < runs; i++) {
    if (spec.synack && !synackFailed) {
      log(`  ${spec.label}: synack run ${i + 1}/${runs}`);
      try {
        const m = await spec.synack.run();
        synackValues.push(metricOf(m, spec.synack.metric));
        const c = perCpuSecond(m, spec.synack.metric);
        if (c !== undefined) synackCpu.push(c);
        if (typeof m.note === 'string' && !notes.includes(m.note)) notes.push(m.note);
        spec.synack.observe?.(m, notes);
      } catch (err) {
        errors.push(`synack: ${(err as Error).message}`);
        synackFailed = true;
      }
    }
    const alt = spec.alternative;
    if (alt && !altFailed) {
      const key = `${alt.key}#${i}`;
      let p = cache.get(key);
      if (!p) {
        log(`  ${spec.label}: ${spec.alternativeLabel} run ${i + 1}/${runs}`);
        p = alt.run();
        cache.set(key, p);
      }
      try {
        const m = await p;
        altValues.push(metricOf(m, alt.metric));
        const c = perCpuSecond(m, alt.metric);
        if (c !== undefined) altCpu.push(c);
        alt.observe?.(m, notes);
      } catch (err) {
        errors.push(`${spec.alternativeLabel}: ${(err as Error).message}`);
        altFailed = true;
      }
    }
  }
  const s = summarize(synackValues);
  const a = summarize(altValues);
  const r = ratio(s, a, spec.higherIsBetter);
  const sc = summarize(synackCpu);
  const ac = summarize(altCpu);
  if (sc && ac) {
    notes.push(
      `per CPU-second of the measuring process: synack ${formatValue(sc.median, spec.unit)}, ` +
        `${spec.alternativeLabel} ${formatValue(ac.median, spec.unit)} → ` +
        `${(ratio(sc, ac, spec.higherIsBetter) ?? NaN).toFixed(2)}× (kernel work outside the process, e.g. softirq, is not counted)`,
    );
  }
  let targetMet: boolean | undefined;
  if (spec.target && s) targetMet = spec.target.check(s, r);
  return {
    id: spec.id,
    section: spec.section,
    label: spec.label,
    unit: spec.unit,
    higherIsBetter: spec.higherIsBetter,
    synack: s,
    alternative: a,
    alternativeLabel: spec.alternativeLabel,
    ratio: r,
    target: spec.target?.text,
    targetMet,
    notes,
    errors,
  };
}

export async function runBench(o: BenchOptions): Promise<RowResult[]> {
  cleanupOnSignals();
  const snap = snapshotDist();
  setWorker(snap.worker);
  const rows = buildRows(o);
  const results: RowResult[] = [];
  const cache = new Map<string, Promise<Metrics>>();
  const t0 = performance.now();
  try {
    for (const spec of rows) {
      log(`[${spec.section}] ${spec.label}`);
      const r = await runRow(spec, cache);
      results.push(r);
      log(`  → ${renderTable([r]).split('\n')[3] ?? ''}`);
    }
  } finally {
    cleanup();
    snap.remove();
  }
  log(`bench finished in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return results;
}

function machine(): Record<string, string | number> {
  const c = cpus();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    kernel: release(),
  };
}

async function main(): Promise<number> {
  let o: BenchOptions;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const startedAt = new Date().toISOString();
  const results = await runBench(o);
  const table = renderTable(results);
  console.log(table);
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(
    o.out,
    JSON.stringify(
      {
        startedAt,
        finishedAt: new Date().toISOString(),
        machine: machine(),
        options: o,
        rows: results,
      },
      null,
      2,
    ) + '\n',
  );
  log(`wrote ${o.out}`);
  return results.some((r) => r.errors.length > 0) ? 1 : 0;
}

// Run as the entry point only (the smoke test imports the pieces).
if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, '/'))) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      cleanup();
      process.exit(1);
    },
  );
}
