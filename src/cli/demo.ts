/**
 * `synack demo [--scenario NAME]`: two hosts on the simulated network (virtual time: instant, with
 * real-looking timestamps) play a scenario, drawn as a ladder with a header and a summary. `npm
 * start` runs the default one, the whole life of a connection.
 */
import { parseArgs } from 'node:util';
import type { CliCommand } from './command.js';
import { RENDER_FLAGS, emit, parseFormat, parseNumber } from '../trace/output-node.js';
import { SCENARIOS, findScenario } from '../scenarios/catalog.js';
import { CLIENT_ADDRESS, runScenario, SERVER_ADDRESS, SERVER_PORT } from '../scenarios/scenario.js';
import { pcapFromEvents } from '../trace/events-pcap.js';

const USAGE = `usage: synack demo [--scenario NAME] [options]

  --scenario NAME   which story to tell (default handshake); --list shows them all
  --list            the scenarios, one line each
  --explain         a line under each step for a learner: why this ACK number, why this state
  --format F        text (default) | svg | mermaid | json (NDJSON) | pcap | state-svg | state-mermaid
  --out FILE        write to FILE instead of stdout
  --seed N          seed of the network and the hosts (default 1)
  --loss P          random loss on both directions, 0..1 (default 0)
  --delay MS        one-way delay in ms (default 10)
  --jitter MS       random extra delay per packet in ms (default 0.8)
  --bytes N         size of the server's answer (default per scenario)
  --ascii           plain ASCII, no colour (the default when stdout is not a terminal)
  --unicode         box-drawing characters even when stdout is not a terminal
  --absolute        absolute sequence numbers (default: relative to each side's ISN)
  --width N         text width in columns (default: the terminal's, at most 100)`;

export const command: CliCommand = {
  summary: 'watch TCP on a simulated network: handshake, loss, resets, close … as a ladder diagram',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        ...RENDER_FLAGS,
        scenario: { type: 'string', short: 's' },
        list: { type: 'boolean' },
        seed: { type: 'string' },
        loss: { type: 'string' },
        delay: { type: 'string' },
        jitter: { type: 'string' },
        bytes: { type: 'string' },
      },
      allowPositionals: false,
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (values.list) {
      const w = Math.max(...SCENARIOS.map((s) => s.name.length));
      for (const s of SCENARIOS) console.log(`  ${s.name.padEnd(w)}  ${s.summary}`);
      return 0;
    }
    const name = values.scenario ?? 'handshake';
    const scenario = findScenario(name);
    if (!scenario) {
      console.error(`synack demo: unknown scenario '${name}' (synack demo --list shows them)`);
      return 2;
    }
    const format = parseFormat(values.format);
    const params = {
      seed: parseNumber('seed', values.seed, 0, 2 ** 32 - 1),
      loss: parseNumber('loss', values.loss, 0, 1),
      delay: parseNumber('delay', values.delay, 0, 60_000),
      jitter: parseNumber('jitter', values.jitter, 0, 60_000),
      bytes: parseNumber('bytes', values.bytes, 0, 100_000_000),
    };
    const width = parseNumber('width', values.width, 60, 1000);
    const run = runScenario(scenario, params);
    const p = run.params;
    const title = [
      `synack demo · scenario ${scenario.name} · seed ${p.seed} · loss ${p.loss} · delay ${p.delay} ms · virtual time`,
      `client ${CLIENT_ADDRESS} ⇄ server ${SERVER_ADDRESS}:${SERVER_PORT} — ${scenario.summary}`,
    ];
    if (scenario.lookFor) title.push(`look for: ${scenario.lookFor}`);
    for (const n of run.notes) title.push(`note: ${n}`);
    if (!run.idle) title.push('note: the run hit its time limit before the network went idle');
    emit(
      run.ladder,
      run.events,
      {
        format,
        out: values.out,
        explain: values.explain === true,
        ascii: values.ascii === true,
        unicode: values.unicode === true,
        absolute: values.absolute === true,
        width,
        title,
      },
      // A fixed date keeps the file the same run after run (and looks like a real capture).
      () => pcapFromEvents(run.events, Date.UTC(2026, 0, 1, 12, 0, 0)),
    );
    return 0;
  },
};
