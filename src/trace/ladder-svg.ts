/**
 * The ladder diagram as a standalone SVG file: one column per host, arrows slanting from send to
 * arrival, flags and seq/ack/len written along each arrow, each side's state in a pill where it
 * changes, lost segments ending in a red cross, a legend and the summary. Self-contained (inline
 * style, no external font or script), with a white background so it reads the same in a browser,
 * in a README on a dark theme, or in an image viewer. Hovering an arrow shows its explanation.
 */
import { explainLadder } from './explain.js';
import type { Arrow, Ladder, StateMark, StateStep } from './ladder.js';
import { segmentLabel } from './segment-view.js';
import { summarize } from './summary.js';
import { arrowStyle, causeText, lostText } from './ladder-text.js';
import { wrap } from './text-canvas.js';
import { px, xmlEscape as esc } from './xml.js';

export interface SvgLadderOptions {
  title?: readonly string[];
  /** Print the learner's explanation under each arrow (it is always in the hover title). */
  explain?: boolean;
  absolute?: boolean;
  /** Width in pixels (default 900). */
  width?: number;
  summary?: boolean;
  legend?: boolean;
}

export const SVG_COLORS = {
  syn: '#2e7d32',
  fin: '#b26a00',
  rst: '#c62828',
  data: '#1565c0',
  ack: '#546e7a',
  lost: '#d32f2f',
  state: '#6a1b9a',
  stateFill: '#f3e5f5',
  lifeline: '#b0bec5',
  text: '#263238',
  dim: '#78909c',
} as const;

type ArrowKind = 'syn' | 'fin' | 'rst' | 'data' | 'ack';
const KINDS: ArrowKind[] = ['syn', 'fin', 'rst', 'data', 'ack'];

export function renderLadderSvg(l: Ladder, opts: SvgLadderOptions = {}): string {
  const W = Math.max(500, opts.width ?? 900);
  const n = Math.max(1, l.lanes.length);
  const marginL = 200;
  const marginR = 150;
  const xs = l.lanes.map((_, i) =>
    n === 1 ? W / 2 : marginL + (i * (W - marginL - marginR)) / (n - 1),
  );
  const xOf = (i: number): number => xs[i] as number;
  const explanations = explainLadder(l);
  const body: string[] = [];
  let y = 20;
  for (const line of opts.title ?? []) {
    for (const part of wrap(line, Math.floor((W - 40) / 8.2))) {
      y += 20;
      body.push(`<text class="title" x="20" y="${y}">${esc(part)}</text>`);
    }
  }
  // Lane headers.
  y += 20;

  l.lanes.forEach((lane, i) => {
    const x = xOf(i);
    const sub = lane.endpoints.join(' ');
    const w = Math.max(90, Math.max(lane.label.length * 8.5, sub.length * 6.6) + 20);
    body.push(
      `<rect class="lanebox" x="${px(x - w / 2)}" y="${px(y)}" width="${px(w)}" height="40" rx="6"/>`,
      `<text class="lane" x="${px(x)}" y="${px(y + 17)}">${esc(lane.label)}</text>`,
    );
    if (sub !== lane.label)
      body.push(`<text class="sub" x="${px(x)}" y="${px(y + 32)}">${esc(sub)}</text>`);
  });
  y += 40;
  const lifeTop = y;
  const rowH = 24;
  const pill = (lane: number, yy: number, state: string): void => {
    const x = xOf(lane);
    const w = state.length * 7.4 + 14;
    const left = lane === 0 || n === 1 ? x - 8 - w : x + 8;
    body.push(
      `<g class="state"><rect x="${px(left)}" y="${px(yy - 10)}" width="${px(w)}" height="18" rx="9"/>` +
        `<text x="${px(left + w / 2)}" y="${px(yy + 3)}">${esc(state)}</text></g>`,
    );
  };
  const time = (yy: number, t: number): void => {
    body.push(
      `<text class="time" x="8" y="${px(yy + 4)}">${esc((t - l.start).toFixed(3))} ms</text>`,
    );
  };
  y += 18;
  l.lanes.forEach((lane, i) => {
    if (lane.initial) pill(i, y, lane.initial);
  });
  y += rowH;
  const explainLines = (text: string | undefined): void => {
    if (!opts.explain || !text) return;
    const left = xOf(0) + 14;
    const right = n > 1 ? xOf(n - 1) - 14 : W - 20;
    for (const line of wrap(text, Math.max(30, Math.floor((right - left) / 6.2)))) {
      body.push(`<text class="explain" x="${px(left)}" y="${px(y)}">${esc(line)}</text>`);
      y += 14;
    }
    y += 6;
  };
  const cross = (x: number, yy: number): string =>
    `<path class="cross" d="M${px(x - 6)} ${px(yy - 6)}L${px(x + 6)} ${px(yy + 6)}M${px(x + 6)} ${px(yy - 6)}L${px(x - 6)} ${px(yy + 6)}"/>`;

  const drawArrow = (a: Arrow): void => {
    for (const m of a.before.slice(0, -1)) {
      pill(m.lane, y, m.to);
      y += rowH;
    }
    const kind = arrowStyle(a) as ArrowKind;
    const y1 = y;
    const y2 = y + rowH * 1.4;
    const xa = xOf(a.from);
    const xb = a.to === a.from ? xa + 40 : xOf(a.to);
    const dir = Math.sign(xb - xa) || 1;
    const lastBefore = a.before[a.before.length - 1];
    if (lastBefore) pill(lastBefore.lane, y1, lastBefore.to);
    time(y1, a.tSend);
    let label = segmentLabel(a.view, { absolute: opts.absolute });
    if (a.retransmission) label += ' (retransmission)';
    const expl = explanations.get(a);
    const tip = `#${a.n} ${label}${a.fate !== 'delivered' ? ` — ${a.fate}${a.reason ? ` (${a.reason})` : ''}` : ''}${expl ? `\n${expl}` : ''}`;
    const parts: string[] = [
      `<g class="arrow ${kind}${a.fate === 'lost' ? ' lost' : ''}"><title>${esc(tip)}</title>`,
    ];
    const xEnd = xb - dir * 2;
    let x2 = xEnd;
    let yEnd = y2;
    if (a.fate === 'lost' || a.fate === 'in-flight') {
      x2 = xa + (xEnd - xa) * 0.55;
      yEnd = y1 + (y2 - y1) * 0.55;
      parts.push(`<line x1="${px(xa)}" y1="${px(y1)}" x2="${px(x2)}" y2="${px(yEnd)}"/>`);
      if (a.fate === 'lost') {
        parts.push(cross(x2, yEnd));
        parts.push(
          `<text class="why" x="${px(x2)}" y="${px(yEnd + 18)}" text-anchor="middle">${esc(lostText(a))}</text>`,
        );
      }
    } else {
      const marker = a.fate === 'dropped' ? '' : ` marker-end="url(#head-${kind})"`;
      parts.push(`<line x1="${px(xa)}" y1="${px(y1)}" x2="${px(xEnd)}" y2="${px(y2)}"${marker}/>`);
      if (a.fate === 'delivered' && a.reason) {
        parts.push(
          `<text class="note" x="${px(xEnd - dir * 12)}" y="${px(y2 + 14)}" text-anchor="${dir > 0 ? 'end' : 'start'}">${esc(a.reason)}</text>`,
        );
      }
      if (a.fate === 'dropped') {
        parts.push(cross(xEnd, y2));
        parts.push(
          `<text class="why" x="${px(xEnd - dir * 12)}" y="${px(y2 + 14)}" text-anchor="${dir > 0 ? 'end' : 'start'}">refused: ${esc(a.reason ?? 'dropped')}</text>`,
        );
      }
    }
    // The label runs along the full arrow, upright, just above it.
    const lx = (xa + xEnd) / 2;
    const ly = (y1 + y2) / 2;
    const angle = (Math.atan2((y2 - y1) * dir, Math.abs(xEnd - xa)) * 180) / Math.PI;
    parts.push(
      `<text class="label" x="${px(lx)}" y="${px(ly - 5)}" transform="rotate(${px(angle)} ${px(lx)} ${px(ly)})">${esc(label)}</text>`,
    );
    parts.push('</g>');
    body.push(parts.join(''));
    if (a.tEnd !== undefined && a.fate !== 'in-flight' && a.tEnd !== a.tSend) time(y2, a.tEnd);
    y = y2;
    const firstAfter = a.after[0];
    if (firstAfter) pill(firstAfter.lane, y2, firstAfter.to);
    for (const m of a.after.slice(1)) {
      y += rowH;
      pill(m.lane, y, m.to);
    }
    y += rowH;
    explainLines(expl);
  };
  const drawState = (s: StateStep): void => {
    for (const m of s.marks) {
      time(y, m.t);
      pill(m.lane, y, m.to);
      body.push(noteText(m, y));
      y += rowH;
    }
    explainLines(explanations.get(s));
  };
  const noteText = (m: StateMark, yy: number): string => {
    const x = xOf(m.lane);
    const right = m.lane === n - 1 && n > 1;
    return `<text class="note" x="${px(right ? x - 10 : x + 10)}" y="${px(yy + 4)}" text-anchor="${right ? 'end' : 'start'}">${esc(causeText(m.cause))}</text>`;
  };
  for (const s of l.steps) {
    if (s.kind === 'arrow') drawArrow(s);
    else drawState(s);
  }
  const lifeBottom = y;
  const lifelines = xs.map(
    (x) =>
      `<line class="lifeline" x1="${px(x)}" y1="${px(lifeTop)}" x2="${px(x)}" y2="${px(lifeBottom)}"/>`,
  );
  y += 10;
  if (l.inferred) {
    y += 16;
    body.push(
      `<text class="note" x="20" y="${y}">States are inferred from the segments (no host reported them).</text>`,
    );
  }
  if (opts.legend !== false) {
    y += 28;
    let x = 20;
    const items: [ArrowKind, string][] = [
      ['syn', 'SYN'],
      ['fin', 'FIN'],
      ['rst', 'RST'],
      ['data', 'data'],
      ['ack', 'ACK only'],
    ];
    for (const [k, text] of items) {
      body.push(
        `<g class="arrow ${k}"><line x1="${x}" y1="${y - 4}" x2="${x + 30}" y2="${y - 4}" marker-end="url(#head-${k})"/></g>`,
        `<text class="legend" x="${x + 38}" y="${y}">${text}</text>`,
      );
      x += 48 + text.length * 7.5;
    }
    body.push(
      `<g class="arrow lost">${cross(x + 6, y - 4)}</g><text class="legend" x="${x + 18}" y="${y}">lost / refused</text>`,
    );
    x += 130;
    body.push(
      `<g class="state"><rect x="${x}" y="${y - 14}" width="60" height="18" rx="9"/><text x="${x + 30}" y="${y - 1}">STATE</text></g>`,
      `<text class="legend" x="${x + 68}" y="${y}">state change</text>`,
    );
  }
  if (opts.summary !== false) {
    y += 14;
    for (const s of summarize(l)) {
      y += 16;
      body.push(
        `<text class="summary" x="20" y="${y}"><tspan class="key">${esc(s.key)}</tspan> ${esc(s.value)}</text>`,
      );
    }
  }
  const H = y + 20;
  const markers = KINDS.map(
    (k) =>
      `<marker id="head-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="${SVG_COLORS[k]}"/></marker>`,
  ).join('');
  const style = [
    `text{font-family:ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;fill:${SVG_COLORS.text}}`,
    `.title{font-size:15px;font-weight:600}`,
    `.lanebox{fill:#eceff1;stroke:#90a4ae}`,
    `.lane{font-size:14px;font-weight:700;text-anchor:middle}`,
    `.sub{font-size:11px;text-anchor:middle;fill:${SVG_COLORS.dim};font-family:ui-monospace,Menlo,Consolas,monospace}`,
    `.lifeline{stroke:${SVG_COLORS.lifeline};stroke-width:2;stroke-dasharray:2 4}`,
    `.time{font-size:11px;fill:${SVG_COLORS.dim};font-family:ui-monospace,Menlo,Consolas,monospace}`,
    `.arrow line{stroke-width:1.8}`,
    ...KINDS.map((k) => `.${k} line{stroke:${SVG_COLORS[k]}}.${k} .label{fill:${SVG_COLORS[k]}}`),
    `.label{font-size:12px;text-anchor:middle;font-family:ui-monospace,Menlo,Consolas,monospace;paint-order:stroke;stroke:#fff;stroke-width:3px}`,
    `.lost line{stroke-dasharray:5 3}`,
    `.cross{stroke:${SVG_COLORS.lost};stroke-width:2.5}`,
    `.why{font-size:11px;fill:${SVG_COLORS.lost}}`,
    `.state rect{fill:${SVG_COLORS.stateFill};stroke:${SVG_COLORS.state}}`,
    `.state text{font-size:11px;font-weight:700;fill:${SVG_COLORS.state};text-anchor:middle;font-family:ui-monospace,Menlo,Consolas,monospace}`,
    `.note{font-size:11px;fill:${SVG_COLORS.dim};font-style:italic}`,
    `.explain{font-size:11px;fill:#455a64;font-style:italic}`,
    `.legend{font-size:12px}`,
    `.summary{font-size:12px;font-family:ui-monospace,Menlo,Consolas,monospace}.key{font-weight:700}`,
  ].join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${px(H)}" viewBox="0 0 ${W} ${px(H)}" role="img" aria-label="TCP ladder diagram">\n` +
    `<title>${esc((opts.title ?? ['TCP ladder diagram']).join(' — '))}</title>\n` +
    `<defs>${markers}</defs>\n<style>${style}</style>\n` +
    `<rect width="100%" height="100%" fill="#fff"/>\n` +
    lifelines.join('\n') +
    '\n' +
    body.join('\n') +
    '\n</svg>\n'
  );
}
