/**
 * Geometry of the live ladder, from the trace layer's ladder model (src/trace/ladder.ts, the one
 * every renderer draws): where each arrow starts and ends, where state labels and commands sit.
 * Time flows down; every event gets its own row (two segments sent in the same millisecond must
 * not overlap), and the gap between rows grows with the time between them — logarithmically, so
 * a 1-second RTO and a 50 ms round trip both fit on a screen while arrows still slant with the
 * delay. Long idle stretches (TIME-WAIT) become a break with the elapsed time written in it.
 */
import type { Arrow as LadderArrow, Ladder, StateMark } from '../trace/ladder.js';

export interface LayoutOptions {
  width: number;
  /** Virtual time now: in-flight arrows reach down to it. */
  now: number;
  /** One-way delay in ms, to place in-flight and lost arrows before they land. */
  delay: number;
  /** Commands given by hand, drawn on their host's column. */
  commands?: readonly { lane: number; t: number; label: string }[];
}

export interface ArrowGeometry {
  arrow: LadderArrow;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** arrived: arrowhead; lost: a cross mid-way; dropped: a bar at the receiver; flight: open end. */
  end: 'arrived' | 'lost' | 'dropped' | 'flight';
}

export interface StateLabel {
  lane: number;
  x: number;
  y: number;
  state: string;
  t: number;
}

export interface CommandLabel {
  lane: number;
  x: number;
  y: number;
  label: string;
}

export interface TimeTick {
  y: number;
  t: number;
}

export interface TimeBreak {
  y: number;
  height: number;
  ms: number;
}

export interface LadderGeometry {
  width: number;
  height: number;
  /** x of each lane's column. */
  x: number[];
  top: number;
  arrows: ArrowGeometry[];
  states: StateLabel[];
  commands: CommandLabel[];
  ticks: TimeTick[];
  breaks: TimeBreak[];
  /** y of the column heads' initial state labels. */
  initialY: number;
  /** y of "now" (bottom of the drawing). */
  nowY: number;
}

export const LADDER_TOP = 64;
/** Below this width the ladder is drawn without the time column. */
export const NARROW = 560;
const ROW = 16;
const BREAK_MS = 1500;

/** Vertical distance for `dt` ms between two consecutive rows. */
export function gapFor(dt: number): number {
  if (dt <= 0) return ROW;
  return Math.min(92, ROW + 8 + 15 * Math.log2(1 + dt / 8));
}

/** Rank of a point among points at the same instant: commands, then sends, then arrivals. */
const enum Rank {
  Command = 0,
  Send = 1,
  State = 2,
  Arrive = 3,
  Flight = 4,
}

interface Point {
  t: number;
  rank: Rank;
  seq: number;
  set: (y: number) => void;
  /** A state label attached to an arrow: placed with the arrow, not on a row of its own. */
  attached?: boolean;
}

export function layoutLadder(ladder: Ladder, opts: LayoutOptions): LadderGeometry {
  const width = Math.max(320, opts.width);
  const lanes = Math.max(2, ladder.lanes.length);
  // Room on the left for the time ticks and the first column's state labels, on the right for
  // the last column's; a phone-width drawing drops the ticks (the view hides them).
  const narrow = width < NARROW;
  const left = narrow ? 100 : 176;
  const right = narrow ? 100 : 124;
  const x = Array.from(
    { length: lanes },
    (_, i) => left + ((width - left - right) * i) / (lanes - 1),
  );
  const delay = Math.max(1, opts.delay);
  const points: Point[] = [];
  let seq = 0;
  const states: StateLabel[] = [];
  const addMarks = (marks: readonly StateMark[], at: () => number, t: number): void => {
    for (const m of marks) {
      const s: StateLabel = { lane: m.lane, x: x[m.lane] ?? 0, y: 0, state: m.to, t };
      states.push(s);
      // Resolved after the rows are placed: the label sits where its arrow starts or ends.
      points.push({ t, rank: Rank.State, seq: seq++, set: () => (s.y = at()), attached: true });
    }
  };
  const arrows: ArrowGeometry[] = [];
  for (const step of ladder.steps) {
    if (step.kind === 'state') {
      for (const m of step.marks) {
        const s: StateLabel = { lane: m.lane, x: x[m.lane] ?? 0, y: 0, state: m.to, t: m.t };
        states.push(s);
        points.push({ t: m.t, rank: Rank.State, seq: seq++, set: (y) => (s.y = y) });
      }
      continue;
    }
    const a = step;
    const fromX = x[a.from] ?? 0;
    const toX = x[a.to] ?? 0;
    const g: ArrowGeometry = { arrow: a, x1: fromX, y1: 0, x2: toX, y2: 0, end: 'arrived' };
    arrows.push(g);
    points.push({ t: a.tSend, rank: Rank.Send, seq: seq++, set: (y) => (g.y1 = y) });
    let endT: number;
    let rank = Rank.Arrive;
    if (a.fate === 'lost') {
      g.end = 'lost';
      // The network decides at send time; draw the fall part-way across.
      endT = Math.max(a.tEnd ?? a.tSend, a.tSend + delay * 0.5);
      g.x2 = fromX + (toX - fromX) * 0.55;
    } else if (a.fate === 'in-flight' || a.tEnd === undefined) {
      g.end = 'flight';
      endT = Math.max(opts.now, a.tSend);
      rank = Rank.Flight;
      const f = Math.min(0.96, Math.max(0.04, (opts.now - a.tSend) / delay));
      g.x2 = fromX + (toX - fromX) * f;
    } else {
      g.end = a.fate === 'dropped' ? 'dropped' : 'arrived';
      endT = a.tEnd;
    }
    points.push({ t: endT, rank, seq: seq++, set: (y) => (g.y2 = y) });
    addMarks(a.before, () => g.y1, a.tSend);
    addMarks(a.after, () => g.y2, endT);
  }
  const commands: CommandLabel[] = [];
  for (const c of opts.commands ?? []) {
    const l: CommandLabel = { lane: c.lane, x: x[c.lane] ?? 0, y: 0, label: c.label };
    commands.push(l);
    points.push({ t: c.t, rank: Rank.Command, seq: seq++, set: (y) => (l.y = y) });
  }
  points.sort((p, q) => p.t - q.t || p.rank - q.rank || p.seq - q.seq);

  const ticks: TimeTick[] = [];
  const breaks: TimeBreak[] = [];
  const initialY = LADDER_TOP;
  let y = LADDER_TOP + 10;
  let lastT: number | undefined;
  const deferred: Point[] = [];
  for (const p of points) {
    if (p.attached) {
      deferred.push(p);
      continue;
    }
    if (lastT === undefined) {
      y += 8;
      ticks.push({ y, t: p.t });
    } else if (p.t > lastT) {
      const dt = p.t - lastT;
      if (dt > BREAK_MS) {
        breaks.push({ y: y + 10, height: 26, ms: dt });
        y += 48;
      } else y += gapFor(dt);
      ticks.push({ y, t: p.t });
    } else {
      y += p.rank === Rank.State ? 8 : ROW;
    }
    p.set(y);
    lastT = p.t;
  }
  for (const p of deferred) p.set(0);
  // One lane's state labels must not overlap each other.
  for (let lane = 0; lane < lanes; lane++) {
    let prev = -Infinity;
    for (const s of states.filter((z) => z.lane === lane).sort((a, b) => a.y - b.y)) {
      if (s.y < prev + 20) s.y = prev + 20;
      prev = s.y;
    }
  }
  const bottom = Math.max(
    y,
    ...arrows.map((a) => Math.max(a.y1, a.y2)),
    ...states.map((s) => s.y),
    ...commands.map((c) => c.y),
  );
  const nowY = bottom + 24;
  return {
    width,
    height: nowY + 26,
    x,
    top: LADDER_TOP,
    arrows,
    states,
    commands,
    ticks,
    breaks,
    initialY,
    nowY,
  };
}
