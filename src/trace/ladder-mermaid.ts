/**
 * The ladder as Mermaid `sequenceDiagram` text (https://mermaid.js.org/syntax/sequenceDiagram.html),
 * which GitHub renders inline in Markdown. Delivered segments are `->>` arrows, lost or refused ones
 * `-x` (an arrow ending in a cross), state changes notes over the host.
 */
import { explainLadder } from './explain.js';
import type { Ladder } from './ladder.js';
import { causeText } from './ladder-text.js';
import { segmentLabel } from './segment-view.js';

export interface MermaidLadderOptions {
  explain?: boolean;
  absolute?: boolean;
  /** Prefix each message with its send time in ms. */
  times?: boolean;
}

/** Mermaid message text: `;` ends a statement and `#` starts an entity, so both are replaced. */
function clean(s: string): string {
  return s
    .replace(/;/g, ',')
    .replace(/#/g, 'no. ')
    .replace(/[\r\n]+/g, ' ');
}

export function renderLadderMermaid(l: Ladder, opts: MermaidLadderOptions = {}): string {
  const out: string[] = ['sequenceDiagram'];
  const id = (i: number): string => `H${i}`;
  l.lanes.forEach((lane, i) => {
    const sub = lane.endpoints.join(' ');
    out.push(
      `  participant ${id(i)} as ${clean(lane.label)}${sub && sub !== lane.label ? `<br/>${clean(sub)}` : ''}`,
    );
  });
  l.lanes.forEach((lane, i) => {
    if (lane.initial) out.push(`  Note over ${id(i)}: ${lane.initial}`);
  });
  const explanations = opts.explain ? explainLadder(l) : undefined;
  const span = l.lanes.length > 1 ? `${id(0)},${id(l.lanes.length - 1)}` : id(0);
  for (const s of l.steps) {
    if (s.kind === 'state') {
      for (const m of s.marks)
        out.push(`  Note over ${id(m.lane)}: ${m.to} (${clean(causeText(m.cause))})`);
    } else {
      for (const m of s.before) out.push(`  Note over ${id(m.lane)}: ${m.to}`);
      let text = segmentLabel(s.view, { absolute: opts.absolute });
      if (s.retransmission) text += ' (retransmission)';
      if (s.fate === 'lost') text += ' — lost';
      if (s.fate === 'dropped') text += ` — refused: ${s.reason ?? 'dropped'}`;
      if (opts.times) text = `${(s.tSend - l.start).toFixed(3)} ms ${text}`;
      const arrow = s.fate === 'lost' || s.fate === 'dropped' ? '-x' : '->>';
      out.push(`  ${id(s.from)}${arrow}${id(s.to)}: ${clean(text)}`);
      for (const m of s.after) out.push(`  Note over ${id(m.lane)}: ${m.to}`);
    }
    const e = explanations?.get(s);
    if (e) out.push(`  Note over ${span}: ${clean(e)}`);
  }
  if (l.inferred) out.push(`  Note over ${span}: states inferred from the segments`);
  return out.join('\n') + '\n';
}
