/**
 * The closing summary of a ladder: the states each side went through, segments sent, lost and
 * retransmitted, bytes each way, duration. Plain lines; renderers decide how to show them.
 */
import { arrowsOf, type Ladder } from './ladder.js';

export interface SummaryLine {
  key: string;
  value: string;
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 1000) / 1000} ms`;
  return `${Math.round(ms) / 1000} s`;
}

export function summarize(l: Ladder): SummaryLine[] {
  const lines: SummaryLine[] = [];
  const w = Math.max(...l.lanes.map((x) => x.label.length), 0);
  l.lanes.forEach((lane) => {
    if (lane.states.length > 0) {
      lines.push({
        key: l.inferred ? 'states (inferred)' : 'states',
        value: `${lane.label.padEnd(w)} ${lane.states.join(' → ')}`,
      });
    }
  });
  l.lanes.forEach((lane, i) => {
    const s = l.stats[i];
    if (!s || s.sent === 0) return;
    const extra = [
      s.retransmitted ? `${s.retransmitted} retransmitted` : '',
      s.lost ? `${s.lost} lost` : '',
      s.dropped ? `${s.dropped} refused by the receiver` : '',
    ].filter((x) => x !== '');
    lines.push({
      key: 'segments',
      value: `${lane.label.padEnd(w)} sent ${s.sent}${extra.length ? ` (${extra.join(', ')})` : ''}`,
    });
  });
  const bytes = new Map<string, number>();
  for (const a of arrowsOf(l)) {
    if (a.retransmission) continue;
    const k = `${l.lanes[a.from]?.label ?? '?'} → ${l.lanes[a.to]?.label ?? '?'}`;
    bytes.set(k, (bytes.get(k) ?? 0) + a.view.len);
  }
  if (bytes.size > 0) {
    lines.push({ key: 'bytes', value: [...bytes].map(([k, n]) => `${k} ${n}`).join(', ') });
  }
  if (l.malformed > 0)
    lines.push({ key: 'malformed', value: `${l.malformed} packets dropped as malformed` });
  lines.push({ key: 'duration', value: duration(l.end - l.start) });
  return lines;
}
