/**
 * `synack sim --runs N --seed S [--loss P --reorder P --duplicate P --corrupt P --bytes N]`: runs N
 * seeded client↔server scenarios (seeds S, S+1, …) on the simulated network and checks each
 * (src/link/sim-scenario.ts). Progress goes to stderr every couple of seconds; each failing seed is
 * printed with the command that replays it; the last line on stdout is exactly
 * `N passed, N failed`, and the exit status is 1 when any failed.
 */
import { writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import type { CliCommand } from './command.js';
import { NdjsonWriter } from '../trace/ndjson.js';
import { pcapFromEvents } from '../trace/events-pcap.js';
import { TraceRecorder } from '../trace/traced.js';
import type { TraceSink } from '../stack/trace-event.js';
import {
  describePlan,
  replayCommand,
  runScenario,
  type CloseMode,
  type ScenarioOptions,
} from '../link/sim-scenario.js';

const CLOSE_MODES = [
  'client-first',
  'server-first',
  'both',
  'abort-client',
  'abort-server',
] as const;

const USAGE = `usage: synack sim [--runs N] [--seed S] [--loss P] [--reorder P] [--duplicate P]
                  [--corrupt P] [--bytes N] [--exact-bytes] [--close MODE] [--family 4|6] [--open MODE]
                  [--verbose] [--trace FILE] [--pcap FILE]

Runs N seeded scenarios (seeds S, S+1, …) on the simulated network: random data both ways, random
loss/reordering/duplication/corruption unless pinned, random closes and aborts. Each must deliver
every byte exactly once and in order, end CLOSED and leave no connection or timer behind.

  --runs N        scenarios to run (default 100)
  --seed S        first seed (default 1)
  --loss P        pin the loss probability (0..1) instead of drawing it
  --reorder P     pin the reordering probability
  --duplicate P   pin the duplication probability
  --corrupt P     pin the corruption probability
  --bytes N       largest byte count per direction (default 200000)
  --exact-bytes   send exactly --bytes each way instead of a random count up to it
  --close MODE    pin how it ends: ${CLOSE_MODES.join(' | ')}
  --family 4|6    pin the address family
  --open MODE     listen (default): a listener accepts; simultaneous: both ends open at once
  --verbose       print every scenario's plan and result
  --trace FILE    with --runs 1: write the run's trace as NDJSON (draw it: synack trace FILE)
  --pcap FILE     with --runs 1: write the packets the hosts sent as a pcap file`;

interface SimArgs {
  runs: number;
  seed: number;
  verbose: boolean;
  traceFile?: string;
  pcapFile?: string;
  pinned: Omit<ScenarioOptions, 'seed' | 'trace'>;
}

function parseArgs(args: string[]): SimArgs | string {
  const out: SimArgs = { runs: 100, seed: 1, verbose: false, pinned: {} };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--help' || a === '-h') return 'help';
    if (a === '--exact-bytes') {
      out.pinned.exactBytes = true;
      continue;
    }
    if (a === '--verbose' || a === '-v') {
      out.verbose = true;
      continue;
    }
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    const value = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) return `${flag} needs a value`;
    if (flag === '--trace' || flag === '--pcap') {
      if (flag === '--trace') out.traceFile = value;
      else out.pcapFile = value;
      continue;
    }
    if (flag === '--open') {
      if (value !== 'listen' && value !== 'simultaneous') return '--open: listen or simultaneous';
      out.pinned.open = value;
      continue;
    }
    if (flag === '--close') {
      if (!(CLOSE_MODES as readonly string[]).includes(value)) {
        return `--close: one of ${CLOSE_MODES.join(', ')}`;
      }
      out.pinned.close = value as CloseMode;
      continue;
    }
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) return `${flag}: not a number: ${value}`;
    switch (flag) {
      case '--runs':
        if (!Number.isInteger(n) || n < 0) return `--runs: not a count: ${value}`;
        out.runs = n;
        break;
      case '--seed':
        if (!Number.isInteger(n) || n < 0 || n > 0xffffffff)
          return `--seed: not a 32-bit seed: ${value}`;
        out.seed = n;
        break;
      case '--loss':
      case '--reorder':
      case '--duplicate':
      case '--corrupt':
        if (n < 0 || n > 1) return `${flag}: a probability is between 0 and 1, got ${value}`;
        out.pinned[flag.slice(2) as 'loss' | 'reorder' | 'duplicate' | 'corrupt'] = n;
        break;
      case '--family':
        if (n !== 4 && n !== 6) return `--family: 4 or 6, got ${value}`;
        out.pinned.family = n;
        break;
      case '--bytes':
        if (!Number.isInteger(n) || n < 0) return `--bytes: not a byte count: ${value}`;
        out.pinned.bytes = n;
        break;
      default:
        return `unknown option ${flag}`;
    }
  }
  return out;
}

export const command: CliCommand = {
  summary: 'run seeded client↔server scenarios on the simulated network and check every byte',
  async run(args: string[]): Promise<number> {
    const parsed = parseArgs(args);
    if (parsed === 'help') {
      console.log(USAGE);
      return 0;
    }
    if (typeof parsed === 'string') {
      console.error(`synack sim: ${parsed}\n\n${USAGE}`);
      return 2;
    }
    const { runs, seed, verbose, pinned } = parsed;
    if ((parsed.traceFile !== undefined || parsed.pcapFile !== undefined) && runs !== 1) {
      console.error('synack sim: --trace and --pcap record one scenario: use them with --runs 1');
      return 2;
    }
    const started = Date.now();
    let lastProgress = started;
    let passed = 0;
    let failed = 0;
    for (let i = 0; i < runs; i++) {
      const s = (seed + i) >>> 0;
      const opts: ScenarioOptions = { seed: s, ...pinned };
      const sinks: TraceSink[] = [];
      let traceFd: number | undefined;
      const recorder = parsed.pcapFile !== undefined ? new TraceRecorder() : undefined;
      if (recorder) sinks.push(recorder.sink);
      if (parsed.traceFile !== undefined) {
        // Streamed: a long lossy run can produce more events than is wise to hold.
        const fd = openSync(parsed.traceFile, 'w');
        traceFd = fd;
        const w = new NdjsonWriter(0);
        sinks.push((ev) => writeSync(fd, w.line(ev) + '\n'));
      }
      if (sinks.length > 0) opts.trace = (ev) => sinks.forEach((f) => f(ev));
      const r = runScenario(opts);
      if (traceFd !== undefined) closeSync(traceFd);
      if (recorder && parsed.pcapFile !== undefined) {
        writeFileSync(parsed.pcapFile, pcapFromEvents(recorder.events));
      }
      if (r.ok) passed++;
      else failed++;
      if (!r.ok) {
        console.error(`FAIL ${describePlan(r.plan)}`);
        for (const f of r.failures) console.error(`  ${f}`);
        const replay = replayCommand({ seed: s, ...pinned });
        console.error(`  replay: ${replay}`);
        console.error(
          `  draw:   ${replay} --trace seed-${s}.ndjson; npx synack trace seed-${s}.ndjson`,
        );
      } else if (verbose) {
        console.error(
          `ok   ${describePlan(r.plan)} — ${r.packets} packets, ${r.retransmits} retransmits, ` +
            `${(r.simTime / 1000).toFixed(1)} s virtual`,
        );
      }
      const now = Date.now();
      if (now - lastProgress >= 2000) {
        lastProgress = now;
        console.error(
          `sim: ${i + 1}/${runs} run, ${failed} failed (${((now - started) / 1000).toFixed(1)} s)`,
        );
      }
      // Let Ctrl-C and other events through between scenarios.
      if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
    }
    console.log(`${passed} passed, ${failed} failed`);
    return failed > 0 ? 1 : 0;
  },
};
