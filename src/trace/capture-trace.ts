/**
 * A capture file (pcap / pcapng, any of the link types capture-decode.ts knows) turned into trace
 * events, so the same ladder and state diagrams can be drawn for anyone's traffic. A capture sees
 * each segment once, at one point: each becomes a `send` by its source host and a `recv` by its
 * destination host at the capture time, with the states inferred from the segments in between.
 */
import { decodeFrame } from './capture-decode.js';
import { readCapture } from './pcap-reader.js';
import { StateInference } from './state-inference.js';
import type { Traced } from './traced.js';
import { endpoint } from './endpoint.js';

export interface CaptureTrace {
  format: 'pcap' | 'pcapng';
  /** Times in `events` are milliseconds since this instant (the first packet), Unix epoch ms. */
  startEpochMs: number;
  events: Traced[];
  /** Hosts (IP addresses) in order of first appearance. */
  hosts: string[];
  packets: number;
  tcpPackets: number;
  /** Packets that were not TCP (or undecodable), by reason. */
  skipped: Record<string, number>;
  truncated: boolean;
}

export interface CaptureTraceOptions {
  /** Keep only segments of this TCP port (either end). */
  port?: number;
  /** Infer states (default true). */
  inferStates?: boolean;
  maxPackets?: number;
}

export function traceFromCapture(bytes: Uint8Array, opts: CaptureTraceOptions = {}): CaptureTrace {
  const cap = readCapture(bytes, opts.maxPackets);
  const infer = opts.inferStates === false ? undefined : new StateInference();
  const events: Traced[] = [];
  const hosts: string[] = [];
  const skipped: Record<string, number> = {};
  const first = cap.packets[0];
  const start = first?.t ?? 0;
  // Relative times from the exact timestamps: milliseconds since the first packet, to the ns.
  const since = (p: { sec: number; nsec: number }): number =>
    first ? (p.sec - first.sec) * 1000 + (p.nsec - first.nsec) / 1e6 : 0;
  let tcpPackets = 0;
  for (const p of cap.packets) {
    const d = decodeFrame(p.linkType, p.data, p.origLen);
    if (!d.ok) {
      skipped[d.reason] = (skipped[d.reason] ?? 0) + 1;
      continue;
    }
    const seg = d.segment;
    if (opts.port !== undefined && seg.srcPort !== opts.port && seg.dstPort !== opts.port) {
      skipped['other port'] = (skipped['other port'] ?? 0) + 1;
      continue;
    }
    tcpPackets++;
    for (const h of [d.src, d.dst]) if (!hosts.includes(h)) hosts.push(h);
    const t = since(p);
    const src = endpoint(d.src, seg.srcPort);
    const dst = endpoint(d.dst, seg.dstPort);
    const o = { t, src, dst, segment: seg };
    if (infer) events.push(...infer.beforeSend(o));
    events.push({ type: 'segment', t, host: d.src, event: 'send', src, dst, segment: seg });
    events.push({ type: 'segment', t, host: d.dst, event: 'recv', src, dst, segment: seg });
    if (infer) events.push(...infer.afterReceive(o));
  }
  // Inferred states of a SYN's receiver are decided when it answers, and dated back to the SYN.
  const sorted = events.map((e, i) => ({ e, i })).sort((a, b) => a.e.t - b.e.t || a.i - b.i);
  return {
    format: cap.format,
    startEpochMs: start,
    events: sorted.map((x) => x.e),
    hosts,
    packets: cap.packets.length,
    tcpPackets,
    skipped,
    truncated: cap.truncated,
  };
}
