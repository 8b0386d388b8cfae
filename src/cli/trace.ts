/**
 * `synack trace FILE`: the same diagrams for a capture made by anyone (pcap or pcapng: Ethernet,
 * raw IP, Linux cooked SLL/SLL2, BSD loopback) or for a saved synack NDJSON trace. A capture has no
 * state events: the states are inferred from the segments, and the output says so.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { CliCommand } from './command.js';
import { RENDER_FLAGS, emit, parseFormat, parseNumber } from '../trace/output-node.js';
import { traceFromCapture } from '../trace/capture-trace.js';
import { buildLadder } from '../trace/ladder.js';
import { parseNdjson } from '../trace/ndjson.js';
import { pcapFromEvents } from '../trace/events-pcap.js';
import type { Traced } from '../trace/traced.js';

const USAGE = `usage: synack trace FILE [options]     FILE: .pcap, .pcapng, or a synack NDJSON trace

  --format F        text (default) | svg | mermaid | json | pcap | state-svg | state-mermaid
  --out FILE        write to FILE instead of stdout
  --port N          only segments to or from this TCP port
  --explain         a line under each step for a learner
  --ascii / --unicode / --absolute / --width N   as for synack demo`;

export const command: CliCommand = {
  summary: 'draw a pcap / pcapng capture (tcpdump, Wireshark) or an NDJSON trace as a ladder',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      options: {
        ...RENDER_FLAGS,
        port: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const file = positionals[0];
    if (file === undefined || positionals.length > 1) {
      console.error(USAGE);
      return 2;
    }
    const format = parseFormat(values.format);
    const port = parseNumber('port', values.port, 0, 65535);
    const width = parseNumber('width', values.width, 60, 1000);
    const bytes = readFileSync(file);
    const data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let events: Traced[];
    const title = [`synack trace ${basename(file)}`];
    let epoch = 0;
    if (data[0] === 0x7b /* '{' */) {
      events = parseNdjson(new TextDecoder().decode(data));
      if (port !== undefined) {
        events = events.filter(
          (e) =>
            e.type === 'malformed' ||
            (e.type === 'segment'
              ? e.segment.srcPort === port || e.segment.dstPort === port
              : e.conn.localPort === port || e.conn.remotePort === port),
        );
      }
      title[0] += ` · NDJSON, ${events.length} events`;
    } else {
      const ct = traceFromCapture(data, { port });
      events = ct.events;
      epoch = ct.startEpochMs;
      const skipped = Object.values(ct.skipped).reduce((a, b) => a + b, 0);
      title[0] += ` · ${ct.format}, ${ct.packets} packets (${ct.tcpPackets} TCP${skipped ? `, ${skipped} skipped` : ''})`;
      if (ct.packets > 0)
        title.push(
          `first packet ${new Date(ct.startEpochMs).toISOString()} · times are ms since then`,
        );
      if (ct.truncated) title.push('note: the file ends in the middle of a packet');
      title.push('states inferred from the segments (a capture has no state events)');
    }
    emit(
      buildLadder(events),
      events,
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
      () => pcapFromEvents(events, epoch),
    );
    return 0;
  },
};
