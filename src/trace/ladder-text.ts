/**
 * The ladder diagram for a terminal. Columns are hosts; time runs down; each segment is an arrow
 * that leaves its sender on one row and reaches the receiver on the next, drawn as a staircase so
 * it slants with time, labelled with flags and seq/ack/len. Each side's state is written beside
 * its column where it changes. A segment lost in the network ends in a cross half-way; one the
 * receiver refused ends in a cross at its column, with the reason.
 *
 *    time  client                                   server
 *   0.000    SYN-SENT ├─ SYN seq=0 mss=1460 ──────╮          │ LISTEN
 *  10.000             │                           ╰─────────▶│ SYN-RECEIVED
 */
import type { StateCause } from '../tcp/events.js';
import { flagNames } from '../wire/tcp-segment.js';
import { explainLadder } from './explain.js';
import { ASCII_GLYPHS, asciify, UNICODE_GLYPHS, type Glyphs } from './glyphs.js';
import type { Arrow, Ladder, StateMark, StateStep } from './ladder.js';
import { hasFlag, segmentLabel } from './segment-view.js';
import { summarize } from './summary.js';
import { TextCanvas, wrap, type CellStyle } from './text-canvas.js';

export interface TextLadderOptions {
  /** Total width in columns (default 100). */
  width?: number;
  /** Plain ASCII: no box-drawing characters, no symbols. */
  ascii?: boolean;
  /** ANSI colours. */
  color?: boolean;
  /** A learner's line under each step. */
  explain?: boolean;
  /** Absolute sequence numbers instead of relative ones. */
  absolute?: boolean;
  /** Lines printed above the diagram (scenario, seed, hosts …). */
  title?: readonly string[];
  /** Append the summary (default true). */
  summary?: boolean;
}

export function arrowStyle(a: Pick<Arrow, 'view'>): CellStyle {
  const v = a.view;
  if (hasFlag(v, 'RST')) return 'rst';
  if (hasFlag(v, 'SYN')) return 'syn';
  if (hasFlag(v, 'FIN')) return 'fin';
  if (v.len > 0) return 'data';
  return 'ack';
}

/** "close()", "time-wait timer" … */
export function causeText(c: StateCause): string {
  switch (c.kind) {
    case 'call':
      return `${c.call}()`;
    case 'timer':
      return `${c.timer} timer`;
    case 'icmp':
      return 'ICMP unreachable';
    case 'segment':
      return `rcv ${flagNames(c.segment.flags).join(',')}`;
  }
}

/** "lost", or "lost (corrupt)" for a drop reason a learner should see (a scripted drop is a loss). */
export function lostText(a: Pick<Arrow, 'reason'>): string {
  return a.reason && a.reason !== 'loss' && a.reason !== 'filter' ? `lost (${a.reason})` : 'lost';
}

function fmtTime(t: number): string {
  return t.toFixed(3);
}

const STATE_W = 13;

export function renderLadderText(l: Ladder, opts: TextLadderOptions = {}): string {
  const width = Math.max(60, opts.width ?? 100);
  const g: Glyphs = opts.ascii ? ASCII_GLYPHS : UNICODE_GLYPHS;
  const tx = (s: string): string => (opts.ascii ? asciify(s) : s);
  const explanations = opts.explain ? explainLadder(l) : undefined;
  const c = new TextCanvas(width);
  for (const line of opts.title ?? []) {
    for (const w of wrap(tx(line), width)) c.put(c.addRow(), 0, w, 'header');
  }
  if (opts.title?.length) c.addRow();
  const n = l.lanes.length;
  if (n === 0) {
    c.put(c.addRow(), 0, 'no TCP segments in this trace', 'dim');
    return c.toString(opts.color === true) + '\n';
  }
  const times = l.steps.map(
    (s) => (s.kind === 'arrow' ? Math.max(s.tSend, s.tEnd ?? 0) : s.t) - l.start,
  );
  const timeW = Math.max(7, ...times.map((t) => fmtTime(t).length)) + 1;
  const x0 = timeW + STATE_W + 1;
  const xLast = n === 1 ? x0 : width - STATE_W - 2;
  const xs = l.lanes.map((_, i) => (n === 1 ? x0 : x0 + Math.round((i * (xLast - x0)) / (n - 1))));
  const xOf = (lane: number): number => xs[lane] as number;

  const lifelines = (row: number): void => {
    for (const x of xs) if (c.get(row, x) === ' ') c.put(row, x, g.v, 'dim');
  };
  const time = (row: number, t: number | undefined): void => {
    if (t === undefined) return;
    const s = fmtTime(t - l.start);
    c.put(row, timeW - 1 - s.length, s, 'time');
  };
  const stateLabel = (row: number, lane: number, text: string): void => {
    const x = xOf(lane);
    const s = tx(text);
    if (lane === 0) c.put(row, Math.max(timeW, x - 1 - s.length), s, 'state');
    else c.put(row, x + 2, s, 'state');
  };
  /** A note beside a lane, toward the inside of the diagram. */
  const note = (row: number, lane: number, text: string, style: CellStyle): void => {
    const x = xOf(lane);
    const s = tx(text);
    if (lane === n - 1 && n > 1) c.put(row, x - 2 - [...s].length, s, style);
    else {
      // A middle column's state label is on the same side: write after it.
      let at = x + 2;
      while (at < width && c.get(row, at) !== ' ') at++;
      c.put(row, at === x + 2 ? at : at + 1, s, style);
    }
  };

  // Header: lane names, endpoints, initial states.
  const r0 = c.addRow();
  const r1 = c.addRow();
  c.put(r0, 0, 'time ms'.padStart(timeW - 1), 'dim');
  l.lanes.forEach((lane, i) => {
    const label = tx(lane.label);
    const sub = tx(lane.endpoints.join(' '));
    const center = (s: string): number => {
      const len = [...s].length;
      let x = xOf(i) - Math.floor(len / 2);
      if (i === n - 1 && n > 1) x = Math.min(x, width - len);
      return Math.max(i === 0 ? timeW : 0, x);
    };
    c.put(r0, center(label), label, 'lane');
    if (sub !== label) c.put(r1, center(sub), sub, 'dim');
  });
  const r2 = c.addRow();
  l.lanes.forEach((lane, i) => {
    if (lane.initial) stateLabel(r2, i, lane.initial);
  });
  lifelines(r2);

  const explainRows = (text: string | undefined): void => {
    if (!text) return;
    const left = xOf(0) + 3;
    const right = n > 1 ? xOf(n - 1) - 2 : width;
    const lines = wrap(tx(text), Math.max(20, right - left - 2));
    lines.forEach((line, i) => {
      const row = c.addRow();
      c.put(row, left, (i === 0 ? g.explain : ' ') + ' ' + line, 'explain');
      lifelines(row);
    });
  };

  const drawArrow = (a: Arrow): void => {
    const style = arrowStyle(a);
    // Sender's state changes: all but the last on rows of their own, the last on the arrow's row.
    for (const m of a.before.slice(0, -1)) {
      const row = c.addRow();
      time(row, m.t);
      stateLabel(row, m.lane, m.to);
      lifelines(row);
    }
    const row1 = c.addRow();
    const row2 = c.addRow();
    time(row1, a.tSend);
    if (a.tEnd !== undefined && a.fate !== 'in-flight') time(row2, a.tEnd);
    const lastBefore = a.before[a.before.length - 1];
    if (lastBefore) stateLabel(row1, lastBefore.lane, lastBefore.to);
    const firstAfter = a.after[0];
    if (firstAfter) stateLabel(row2, firstAfter.lane, firstAfter.to);
    let label = tx(segmentLabel(a.view, { absolute: opts.absolute }));
    if (a.retransmission) label += ' (retransmission)';
    const xa = xOf(a.from);
    const xb = xOf(a.to);
    if (xa === xb) {
      c.put(row1, xa, g.teeRight, style);
      c.put(row1, xa + 1, g.h + g.downRight + ' ' + label, style);
      c.put(row2, xa, g.headLeft + g.upLeft, style);
    } else if (xa < xb) {
      const in0 = xa + 1;
      const in1 = xb - 1;
      const max = Math.max(4, in1 - in0 - 6);
      if ([...label].length > max) label = [...label].slice(0, max - 1).join('') + g.ellipsis;
      const len = [...label].length;
      const bend = Math.min(in1 - 2, Math.max(Math.round((xa + xb) / 2), in0 + len + 3));
      c.put(row1, xa, g.teeRight, style);
      c.fill(row1, in0, bend, g.h, style);
      c.put(row1, in0 + 1, ` ${label} `, style);
      c.put(row1, bend, g.downRight, style);
      c.put(row2, bend, g.upRight, style);
      if (a.fate === 'lost' || a.fate === 'in-flight') {
        const end = bend + Math.max(2, Math.round((in1 - bend) * 0.5));
        c.fill(row2, bend + 1, end, g.h, style);
        if (a.fate === 'lost') {
          c.put(row2, end, g.cross, 'lost');
          const t = tx(lostText(a));
          const n = [...t].length;
          c.put(row2, end + 2 + n < in1 ? end + 2 : Math.max(in0 + 1, bend - 1 - n), t, 'lost');
        } else c.put(row2, end, g.ellipsis, 'dim');
      } else {
        c.fill(row2, bend + 1, in1, g.h, style);
        if (a.fate === 'dropped') {
          const why = tx(` refused: ${a.reason ?? 'dropped'} `);
          const n = [...why].length;
          c.put(row2, in1 - 1 - n > bend ? in1 - 1 - n : Math.max(in0 + 1, bend - n), why, 'lost');
          c.put(row2, in1, g.cross, 'lost');
        } else {
          const n = (a.reason?.length ?? 0) + 2;
          if (a.reason) {
            c.put(
              row2,
              in1 - 1 - n > bend ? in1 - 1 - n : Math.max(in0 + 1, bend - n),
              ` ${a.reason} `,
              'dim',
            );
          }
          c.put(row2, in1, g.headRight, style);
        }
      }
    } else {
      const in0 = xb + 1;
      const in1 = xa - 1;
      const max = Math.max(4, in1 - in0 - 6);
      if ([...label].length > max) label = [...label].slice(0, max - 1).join('') + g.ellipsis;
      const len = [...label].length;
      const bend = Math.max(in0 + 2, Math.min(Math.round((xa + xb) / 2), in1 - len - 3));
      c.put(row1, xa, g.teeLeft, style);
      c.fill(row1, bend + 1, in1 + 1, g.h, style);
      c.put(row1, in1 - len - 1, ` ${label} `, style);
      c.put(row1, bend, g.downLeft, style);
      c.put(row2, bend, g.upLeft, style);
      if (a.fate === 'lost' || a.fate === 'in-flight') {
        const end = bend - Math.max(2, Math.round((bend - in0) * 0.5));
        c.fill(row2, end + 1, bend, g.h, style);
        if (a.fate === 'lost') {
          c.put(row2, end, g.cross, 'lost');
          const t = tx(lostText(a));
          const n = [...t].length;
          c.put(row2, end - 1 - n > in0 ? end - 1 - n : bend + 2, t, 'lost');
        } else c.put(row2, end, g.ellipsis, 'dim');
      } else {
        c.fill(row2, in0 + 1, bend, g.h, style);
        if (a.fate === 'dropped') {
          const why = tx(` refused: ${a.reason ?? 'dropped'} `);
          c.put(row2, in0 + 2 + [...why].length < bend ? in0 + 2 : bend + 2, why, 'lost');
          c.put(row2, in0, g.cross, 'lost');
        } else {
          if (a.reason) {
            c.put(
              row2,
              in0 + 4 + a.reason.length < bend ? in0 + 2 : bend + 2,
              ` ${a.reason} `,
              'dim',
            );
          }
          c.put(row2, in0, g.headLeft, style);
        }
      }
    }
    lifelines(row1);
    lifelines(row2);
    for (const m of a.after.slice(1)) {
      const row = c.addRow();
      stateLabel(row, m.lane, m.to);
      lifelines(row);
    }
    explainRows(explanations?.get(a));
  };

  const drawState = (s: StateStep): void => {
    for (const m of s.marks) {
      const row = c.addRow();
      time(row, m.t);
      stateLabel(row, m.lane, m.to);
      note(row, m.lane, `${g.bullet} ${causeText(m.cause)}`, 'dim');
      lifelines(row);
    }
    explainRows(explanations?.get(s));
  };

  for (const s of l.steps) {
    if (s.kind === 'arrow') drawArrow(s);
    else drawState(s);
  }
  const tail = c.addRow();
  lifelines(tail);

  if (l.inferred) {
    c.addRow();
    c.put(
      c.addRow(),
      0,
      tx('States are inferred from the segments (no host reported them).'),
      'dim',
    );
  }
  if (opts.summary !== false) {
    c.addRow();
    const lines = summarize(l);
    const kw = Math.max(...lines.map((x) => x.key.length));
    for (const line of lines) {
      const wrapped = wrap(tx(line.value), width - kw - 1);
      wrapped.forEach((w, i) => {
        const row = c.addRow();
        if (i === 0) c.put(row, 0, tx(line.key), 'header');
        c.put(row, kw + 1, w);
      });
    }
  }
  return c.toString(opts.color === true) + '\n';
}

/** The states of the marks, for tests: "client:SYN-SENT" … */
export function markText(l: Ladder, m: StateMark): string {
  return `${l.lanes[m.lane]?.label ?? '?'}:${m.to}`;
}
