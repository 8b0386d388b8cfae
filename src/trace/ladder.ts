/**
 * The ladder (sequence) diagram as data, built once from trace events and drawn by every renderer
 * (terminal text, SVG, Mermaid, the web page): columns ("lanes", one per host), and in order of
 * sending time the steps — an arrow per segment, from its send to its arrival, loss (a link drop)
 * or refusal (an engine drop, with the reason), and the state changes of each side attached to the
 * arrow that caused them (or standing alone when a call or a timer caused them).
 */
import { seqAdd, seqLt, type SeqNum } from '../wire/seqnum.js';
import { TcpFlag, type TcpSegment } from '../wire/tcp-segment.js';
import type { FourTuple } from '../stack/trace-event.js';
import type { StateCause } from '../tcp/events.js';
import type { TcpState } from '../tcp/state.js';
import { endpoint } from './endpoint.js';
import { RelativeSeq, viewSegLen, type SegmentView } from './segment-view.js';
import type { SegmentTraced, Traced } from './traced.js';

export interface LadderOptions {
  /** Hosts to draw first, left to right; others follow in order of their first segment. */
  lanes?: readonly string[];
  /** Display names, e.g. { '198.18.0.1': 'client' }. */
  labels?: Readonly<Record<string, string>>;
  /** Hosts that are links rather than endpoints: their drops are losses on the wire. */
  linkHosts?: readonly string[];
}

export interface Lane {
  host: string;
  label: string;
  /** The host's endpoints seen in the trace ("address:port"). */
  endpoints: string[];
  /** The state the column starts in (undefined when the trace has no state for it). */
  initial: TcpState | undefined;
  /** Every state shown in the column, in order, starting with `initial`. */
  states: TcpState[];
}

export interface StateMark {
  lane: number;
  t: number;
  from: TcpState;
  to: TcpState;
  cause: StateCause;
  conn: FourTuple;
  inferred: boolean;
}

/**
 * delivered: received; lost: dropped by the link; dropped: received but not accepted (the
 * engine's or stack's reason); in-flight: no record of its fate (the trace ended, or the receiver
 * is not traced).
 */
export type Fate = 'delivered' | 'lost' | 'dropped' | 'in-flight';

export interface Arrow {
  kind: 'arrow';
  /** 1-based number of the segment in the trace. */
  n: number;
  from: number;
  to: number;
  tSend: number;
  /** Arrival, loss or drop time. */
  tEnd: number | undefined;
  view: SegmentView;
  segment: TcpSegment;
  fate: Fate;
  reason?: string;
  /** Carries sequence space its sender had already sent (RFC 9293 §3.8.1 retransmission). */
  retransmission: boolean;
  /** The sender's state changes, shown where the arrow leaves. */
  before: StateMark[];
  /** The receiver's state changes caused by this segment, shown where it arrives. */
  after: StateMark[];
}

/** State changes caused by a call or a timer, drawn on a row of their own. */
export interface StateStep {
  kind: 'state';
  t: number;
  marks: StateMark[];
}

export type Step = Arrow | StateStep;

export interface LaneStats {
  sent: number;
  retransmitted: number;
  /** Payload bytes sent, first transmissions only. */
  bytes: number;
  lost: number;
  dropped: number;
}

export interface Ladder {
  lanes: Lane[];
  steps: Step[];
  /** True when the states were inferred from segments (a capture), not reported by an engine. */
  inferred: boolean;
  start: number;
  end: number;
  stats: LaneStats[];
  malformed: number;
  /** Each connection's full state sequence, keyed "host local → remote". */
  connections: { host: string; conn: FourTuple; states: TcpState[] }[];
}

function keyOf(src: string, dst: string, s: TcpSegment): string {
  return `${src}|${dst}|${s.seq >>> 0}|${s.ack >>> 0}|${s.flags}|${s.payload.length}`;
}

function sameSegment(a: TcpSegment, b: TcpSegment): boolean {
  return (
    a.seq === b.seq &&
    a.ack === b.ack &&
    a.flags === b.flags &&
    a.payload.length === b.payload.length &&
    a.srcPort === b.srcPort &&
    a.dstPort === b.dstPort
  );
}

export function buildLadder(input: readonly Traced[], opts: LadderOptions = {}): Ladder {
  const linkHosts = new Set(opts.linkHosts ?? ['net']);
  // Stable sort by time: sources deliver in order, but merged traces may not be.
  const events = input
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.t - b.e.t || a.i - b.i)
    .map((x) => x.e);

  // Lanes: explicit order, then hosts in order of their first sent segment, then the rest.
  const order: string[] = [];
  const addHost = (h: string): void => {
    if (!linkHosts.has(h) && h !== '' && !order.includes(h)) order.push(h);
  };
  for (const h of opts.lanes ?? []) addHost(h);
  for (const e of events) if (e.type === 'segment' && e.event === 'send') addHost(e.host);
  for (const e of events) if (e.type !== 'malformed') addHost(e.host);
  const endpointHost = new Map<string, string>();
  for (const e of events) {
    if (e.type === 'segment' && !linkHosts.has(e.host)) {
      if (e.event === 'send') endpointHost.set(e.src, e.host);
      else endpointHost.set(e.dst, e.host);
    } else if (e.type === 'state') {
      endpointHost.set(endpoint(e.conn.localAddress, e.conn.localPort), e.host);
    }
  }
  const lanes: Lane[] = [];
  const laneIndex = new Map<string, number>();
  const laneOf = (host: string): number => {
    let i = laneIndex.get(host);
    if (i === undefined) {
      i = lanes.length;
      laneIndex.set(host, i);
      lanes.push({
        host,
        label: opts.labels?.[host] ?? host,
        endpoints: [],
        initial: undefined,
        states: [],
      });
    }
    return i;
  };
  for (const h of order) laneOf(h);
  const laneOfEndpoint = (ep: string): number => {
    const lane = laneOf(endpointHost.get(ep) ?? ep);
    const l = lanes[lane] as Lane;
    if (!l.endpoints.includes(ep)) l.endpoints.push(ep);
    return lane;
  };

  const rel = new RelativeSeq();
  const steps: Step[] = [];
  const arrows: Arrow[] = [];
  const pending = new Map<string, Arrow[]>();
  const highest = new Map<string, SeqNum>();
  const lastSyn = new Map<string, number>();
  const display: (TcpState | undefined)[] = [];
  const connStates = new Map<string, { host: string; conn: FourTuple; states: TcpState[] }>();
  const laneConns: Map<string, TcpState>[] = [];
  const lastStandalone: (StateStep | undefined)[] = [];
  let inferred = false;
  let malformed = 0;
  let n = 0;

  const newArrow = (e: SegmentTraced, from: number, to: number, tSend: number): Arrow => {
    const a: Arrow = {
      kind: 'arrow',
      n: ++n,
      from,
      to,
      tSend,
      tEnd: undefined,
      view: rel.view(e.src, e.dst, e.segment),
      segment: e.segment,
      fate: 'in-flight',
      retransmission: false,
      before: [],
      after: [],
    };
    steps.push(a);
    arrows.push(a);
    return a;
  };
  const takePending = (key: string): Arrow | undefined => {
    const q = pending.get(key);
    const a = q?.shift();
    if (q && q.length === 0) pending.delete(key);
    return a;
  };

  for (const e of events) {
    if (e.type === 'malformed') {
      malformed++;
      continue;
    }
    if (e.type === 'segment') {
      const key = keyOf(e.src, e.dst, e.segment);
      if (e.event === 'send' && !linkHosts.has(e.host)) {
        const from = laneOf(e.host);
        laneOfEndpoint(e.src);
        const a = newArrow(e, from, laneOfEndpoint(e.dst), e.t);
        // Retransmission: the segment occupies sequence space this direction already covered.
        const dir = `${e.src}>${e.dst}`;
        const len = viewSegLen(a.view);
        const hi = highest.get(dir);
        const flags = e.segment.flags & (TcpFlag.SYN | TcpFlag.ACK);
        // In a simultaneous open the SYN,ACK repeats the side's own SYN by design (RFC 9293
        // Figure 8): not a retransmission.
        const synAckAfterSyn =
          flags === (TcpFlag.SYN | TcpFlag.ACK) && lastSyn.get(dir) === TcpFlag.SYN;
        if (flags & TcpFlag.SYN) lastSyn.set(dir, flags);
        if (len > 0) {
          if (hi !== undefined && seqLt(e.segment.seq, hi) && !synAckAfterSyn)
            a.retransmission = true;
          const end = seqAdd(e.segment.seq, len);
          if (hi === undefined || seqLt(hi, end)) highest.set(dir, end);
        }
        // The sender's call/timer state changes at this very moment belong to this arrow.
        const st = lastStandalone[from];
        if (st && st.t === e.t && steps[steps.length - 2] === st) {
          const mine = st.marks.filter((m) => m.lane === from);
          a.before.push(...mine);
          st.marks = st.marks.filter((m) => m.lane !== from);
          if (st.marks.length === 0) steps.splice(steps.length - 2, 1);
          lastStandalone[from] = undefined;
        }
        const q = pending.get(key);
        if (q) q.push(a);
        else pending.set(key, [a]);
        continue;
      }
      if (e.event === 'send') continue; // a link's own send records add nothing to the ladder
      let a = takePending(key);
      if (e.event === 'recv' && linkHosts.has(e.host)) {
        // A link saw it pass: not its fate yet.
        if (a) pending.set(key, [a, ...(pending.get(key) ?? [])]);
        continue;
      }
      if (!a && e.event === 'drop' && !linkHosts.has(e.host)) {
        // Received, then refused by the engine: mark the arrow that brought it.
        const to = laneOf(e.host);
        for (let i = arrows.length - 1; i >= 0; i--) {
          const c = arrows[i] as Arrow;
          if (
            c.to === to &&
            c.fate === 'delivered' &&
            c.reason === undefined &&
            keyOf(c.view.src, c.view.dst, c.segment) === key
          ) {
            // Entirely old data is still acknowledged (RFC 9293 §3.10.7.4): not a refusal.
            if (e.reason !== 'duplicate') c.fate = 'dropped';
            if (e.reason !== undefined) c.reason = e.reason;
            a = c;
            break;
          }
        }
        if (a) continue;
      }
      if (!a) {
        // No send record (an untraced sender, or a capture taken at the receiver).
        a = newArrow(
          e,
          laneOfEndpoint(e.src),
          linkHosts.has(e.host) ? laneOfEndpoint(e.dst) : laneOf(e.host),
          e.t,
        );
      }
      a.tEnd = e.t;
      if (e.event === 'recv') a.fate = 'delivered';
      else {
        a.fate = linkHosts.has(e.host) ? 'lost' : 'dropped';
        if (e.reason !== undefined) a.reason = e.reason;
      }
      continue;
    }
    // A state change.
    if (e.inferred) inferred = true;
    const lane = laneOf(e.host);
    const l = lanes[lane] as Lane;
    laneOfEndpoint(endpoint(e.conn.localAddress, e.conn.localPort));
    const ck = `${e.host}|${endpoint(e.conn.localAddress, e.conn.localPort)}|${endpoint(e.conn.remoteAddress, e.conn.remotePort)}`;
    let cs = connStates.get(ck);
    if (!cs) {
      cs = { host: e.host, conn: { ...e.conn }, states: [e.from] };
      connStates.set(ck, cs);
    }
    cs.states.push(e.to);
    const conns = (laneConns[lane] ??= new Map());
    conns.set(ck, e.to);
    if (l.initial === undefined) {
      // A passive open is where a server's column starts (LISTEN), even when the stack creates
      // the connection only as the first SYN arrives (a listener's per-SYN child).
      if (e.from === 'CLOSED' && e.to === 'LISTEN') {
        l.initial = 'LISTEN';
        l.states.push('LISTEN');
        display[lane] = 'LISTEN';
        continue;
      }
      l.initial = e.from;
      l.states.push(e.from);
      display[lane] = e.from;
    }
    if (e.to === display[lane]) continue;
    // A listener closing while one of its connections lives on says nothing about the column.
    const othersActive = [...conns].some(([k, s]) => k !== ck && s !== 'CLOSED' && s !== 'LISTEN');
    if (e.from === 'LISTEN' && e.to === 'CLOSED' && othersActive) continue;
    // A connection that starts (CLOSED → LISTEN, a listener's child) while another one is shown.
    if (e.from === 'CLOSED' && e.to === 'LISTEN' && display[lane] !== 'CLOSED') continue;
    display[lane] = e.to;
    l.states.push(e.to);
    const mark: StateMark = {
      lane,
      t: e.t,
      from: e.from,
      to: e.to,
      cause: e.cause,
      conn: { ...e.conn },
      inferred: e.inferred === true,
    };
    if (e.cause.kind === 'segment') {
      const seg = e.cause.segment;
      let target: Arrow | undefined;
      for (let i = arrows.length - 1; i >= 0 && i >= arrows.length - 64; i--) {
        const c = arrows[i] as Arrow;
        if (c.to === lane && c.fate === 'delivered' && sameSegment(c.segment, seg)) {
          target = c;
          break;
        }
      }
      if (target) {
        target.after.push(mark);
        continue;
      }
    }
    const st = lastStandalone[lane];
    if (st && st.t === e.t && steps[steps.length - 1] === st) st.marks.push(mark);
    else {
      const step: StateStep = { kind: 'state', t: e.t, marks: [mark] };
      steps.push(step);
      lastStandalone[lane] = step;
    }
  }

  detachLateMarks(steps);

  const stats: LaneStats[] = lanes.map(() => ({
    sent: 0,
    retransmitted: 0,
    bytes: 0,
    lost: 0,
    dropped: 0,
  }));
  for (const a of arrows) {
    const s = stats[a.from] as LaneStats;
    s.sent++;
    if (a.retransmission) s.retransmitted++;
    else s.bytes += a.view.len;
    if (a.fate === 'lost') s.lost++;
    if (a.fate === 'dropped') s.dropped++;
  }
  const times = events.map((e) => e.t);
  return {
    lanes,
    steps,
    inferred,
    start: times.length ? Math.min(...times) : 0,
    end: times.length ? Math.max(...times) : 0,
    stats,
    malformed,
    connections: [...connStates.values()],
  };
}

/**
 * Steps are in order of sending. When a side sent something (drawn below an arrow) before the
 * arrow's arrival changed its state — crossing segments, as in a simultaneous open — the state
 * change is moved below that send, so each column still reads in its own order.
 */
function detachLateMarks(steps: Step[]): void {
  for (let i = 0; i < steps.length; i++) {
    const a = steps[i] as Step;
    if (a.kind !== 'arrow' || a.after.length === 0) continue;
    for (const m of [...a.after]) {
      let last = -1;
      for (let j = i + 1; j < steps.length; j++) {
        const b = steps[j] as Step;
        if (b.kind === 'arrow' && b.from === m.lane && b.tSend < m.t) last = j;
        if (b.kind === 'arrow' && b.tSend > m.t) break;
      }
      if (last < 0) continue;
      a.after.splice(a.after.indexOf(m), 1);
      steps.splice(last + 1, 0, { kind: 'state', t: m.t, marks: [m] });
    }
  }
}

/** The arrows of a ladder, in order. */
export function arrowsOf(l: Ladder): Arrow[] {
  return l.steps.filter((s): s is Arrow => s.kind === 'arrow');
}
