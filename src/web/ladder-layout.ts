/**
 * Geometry of the live ladder: where each arrow starts and ends, where state labels sit. Time flows
 * down; every event gets its own row (two segments sent in the same millisecond must not overlap),
 * and the gap between rows grows with the time between them — logarithmically, so a 1-second RTO
 * and a 50 ms round trip both fit on a screen, and arrows still slant with the delay. Long idle
 * stretches (TIME-WAIT) are drawn as a break with the elapsed time written in it.
 */
import type { HostName } from './url-state.js';
import type { LadderSegment, Timeline } from './timeline.js';

export interface LadderOptions {
  width: number;
  /** Virtual time now (in-flight arrows reach down to it). */
  now: number;
  /** One-way delay in ms, to place in-flight and lost arrows before they land. */
  delay: number;
}

export interface Arrow {
  seg: LadderSegment;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Arrow end: arrived (arrowhead), lost (cross), rejected (bar), in flight (open). */
  end: 'arrived' | 'lost' | 'rejected' | 'flight';
}

export interface StateLabel {
  host: HostName;
  x: number;
  y: number;
  state: string;
  t: number;
}

export interface TimeTick {
  y: number;
  t: number;
}

export interface Gap {
  y: number;
  height: number;
  ms: number;
}

export interface CommandLabel {
  host: HostName;
  x: number;
  y: number;
  label: string;
}

export interface LadderLayout {
  width: number;
  height: number;
  x: Record<HostName, number>;
  top: number;
  arrows: Arrow[];
  states: StateLabel[];
  commands: CommandLabel[];
  ticks: TimeTick[];
  gaps: Gap[];
  /** y of "now". */
  nowY: number;
}

const TOP = 58;
const ROW = 16;
const BREAK_MS = 1500;

/** Vertical distance for `dt` ms between two consecutive rows. */
export function gapFor(dt: number): number {
  if (dt <= 0) return ROW;
  return Math.min(92, ROW + 8 + 15 * Math.log2(1 + dt / 8));
}

interface Point {
  t: number;
  /** Order of occurrence among points at the same t. */
  order: number;
  set: (y: number) => void;
}

export function layoutLadder(tl: Timeline, opts: LadderOptions): LadderLayout {
  const width = Math.max(320, opts.width);
  const margin = Math.min(150, Math.max(92, width * 0.17));
  const x: Record<HostName, number> = { client: margin, server: width - margin };
  const delay = Math.max(1, opts.delay);
  const points: Point[] = [];
  let order = 0;
  const arrows: Arrow[] = tl.segments.map((seg) => {
    const a: Arrow = { seg, x1: x[seg.from], y1: 0, x2: x[seg.to], y2: 0, end: 'arrived' };
    points.push({ t: seg.sent, order: order++, set: (y) => (a.y1 = y) });
    let endT: number;
    if (seg.lost) {
      a.end = 'lost';
      // The network decides at send time; draw the fall halfway across.
      endT = Math.max(seg.lost.t, seg.sent + delay / 2);
      a.x2 = x[seg.from] + (x[seg.to] - x[seg.from]) * 0.55;
    } else if (seg.arrived !== undefined) {
      a.end = seg.rejected ? 'rejected' : 'arrived';
      endT = seg.arrived;
    } else {
      a.end = 'flight';
      endT = opts.now;
      const f = Math.min(0.96, Math.max(0.04, (opts.now - seg.sent) / delay));
      a.x2 = x[seg.from] + (x[seg.to] - x[seg.from]) * f;
    }
    points.push({ t: endT, order: seg.arrived !== undefined ? order++ : 1e9 + order++, set: (y) => (a.y2 = y) });
    return a;
  });
  const states: StateLabel[] = [];
  for (const m of tl.states) {
    const s: StateLabel = { host: m.host, x: x[m.host], y: 0, state: m.to, t: m.t };
    states.push(s);
    // After the segments of the same instant, so "ESTABLISHED" sits below the ACK that caused it.
    points.push({ t: m.t, order: 5e8 + order++, set: (y) => (s.y = y) });
  }
  const commands: CommandLabel[] = [];
  for (const c of tl.commands) {
    const l: CommandLabel = { host: c.host, x: x[c.host], y: 0, label: c.label };
    commands.push(l);
    points.push({ t: c.t, order: -1e9 + order++, set: (y) => (l.y = y) });
  }
  points.sort((a, b) => a.t - b.t || a.order - b.order);

  const ticks: TimeTick[] = [];
  const gaps: Gap[] = [];
  let y = TOP;
  let lastT: number | undefined;
  let lastKind: 'state' | 'other' | undefined;
  for (const p of points) {
    const kind = p.order >= 5e8 && p.order < 1e9 ? 'state' : 'other';
    if (lastT === undefined) {
      y = TOP + 8;
      ticks.push({ y, t: p.t });
    } else if (p.t > lastT) {
      const dt = p.t - lastT;
      if (dt > BREAK_MS) {
        gaps.push({ y: y + 8, height: 30, ms: dt });
        y += 46;
      } else y += gapFor(dt);
      ticks.push({ y, t: p.t });
    } else if (!(kind === 'state' && lastKind === 'state')) {
      // Same instant: one row per event, except consecutive state labels (on two columns).
      y += kind === 'state' ? 6 : ROW;
    }
    p.set(y);
    lastT = p.t;
    lastKind = kind;
  }
  // Keep state labels of one host from overlapping each other.
  for (const host of ['client', 'server'] as const) {
    let prev = -Infinity;
    for (const s of states.filter((z) => z.host === host)) {
      if (s.y < prev + 18) s.y = prev + 18;
      prev = s.y;
    }
  }
  const nowY = Math.max(y, ...arrows.map((a) => Math.max(a.y1, a.y2)), ...states.map((s) => s.y)) + 10;
  return {
    width,
    height: nowY + 30,
    x,
    top: TOP,
    arrows,
    states,
    commands,
    ticks,
    gaps,
    nowY,
  };
}
