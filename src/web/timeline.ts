/**
 * The ladder's model: the stack's trace events for a two-host run turned into arrows (one per
 * segment: sent at one time, arrived or lost at another), state marks per host and command marks.
 * It is fed event by event as the run goes, so the ladder grows live. Pure data, no DOM: the page
 * draws it and the Node tests check it.
 */
import { seqAdd, seqGt, seqLt, type SeqNum } from '../wire/seqnum.js';
import { segLen, TcpFlag, type TcpSegment } from '../wire/tcp-segment.js';
import type { StateCause } from '../tcp/events.js';
import type { TcpState } from '../tcp/state.js';
import type { Endpoint, FourTuple, TraceEvent } from '../stack/trace-event.js';
import { parseEndpoint } from '../trace/endpoint.js';
import { RelativeSeq, type SegmentView } from '../trace/segment-view.js';
import type { HostName } from './url-state.js';

export interface LadderSegment {
  id: number;
  from: HostName;
  to: HostName;
  src: Endpoint;
  dst: Endpoint;
  /** Virtual time it left the sender. */
  sent: number;
  /** Virtual time it reached the receiver's stack (undefined while in flight or when lost). */
  arrived?: number;
  /** Dropped by the network (loss, a drop asked for by hand …): time and reason. */
  lost?: { t: number; reason: string };
  /** Reached the receiver, which did not accept it (an engine DropReason, or e.g. 'no-listener'). */
  rejected?: string;
  /** Extra deliveries of the same segment (the network duplicated it). */
  duplicates: number[];
  segment: TcpSegment;
  view: SegmentView;
  /** Covers sequence space this direction had already sent (RFC 9293 §3.8.1). */
  retransmission: boolean;
}

export interface StateMark {
  host: HostName;
  t: number;
  conn: FourTuple;
  from: TcpState;
  to: TcpState;
  cause: StateCause;
}

export interface CommandMark {
  host: HostName;
  t: number;
  label: string;
}

/** Per-direction bookkeeping for retransmission detection. */
interface DirState {
  /** Highest sequence number sent so far + 1 (SND.MAX as the wire shows it). */
  high?: SeqNum;
  isn?: SeqNum;
}

export class Timeline {
  readonly segments: LadderSegment[] = [];
  readonly states: StateMark[] = [];
  readonly commands: CommandMark[] = [];
  /** Packets a stack could not parse (never expected here; shown if they happen). */
  readonly malformed: { t: number; host: string; reason: string }[] = [];
  /** The trace as it came, for the exports. */
  readonly events: TraceEvent[] = [];
  private readonly rel = new RelativeSeq();
  private readonly dirs = new Map<string, DirState>();
  /** Segments sent and not yet matched with their arrival or loss, per direction key. */
  private readonly inFlight = new Map<string, LadderSegment[]>();

  constructor(
    /** Address of each host: decides which column an endpoint belongs to. */
    readonly addresses: Readonly<Record<HostName, string>>,
  ) {}

  /** The host that owns an endpoint, if it is one of the two. */
  hostOf(e: Endpoint): HostName | undefined {
    const a = parseEndpoint(e)?.address;
    if (a === this.addresses.client) return 'client';
    if (a === this.addresses.server) return 'server';
    return undefined;
  }

  /** The latest time anything happened. */
  get end(): number {
    let t = 0;
    for (const s of this.segments) t = Math.max(t, s.sent, s.arrived ?? 0, s.lost?.t ?? 0);
    for (const s of this.states) t = Math.max(t, s.t);
    for (const c of this.commands) t = Math.max(t, c.t);
    return t;
  }

  /** The state history of a host: its first `from`, then every `to`. */
  stateSequence(host: HostName): TcpState[] {
    const marks = this.states.filter((m) => m.host === host);
    if (marks.length === 0) return [];
    return [marks[0]!.from, ...marks.map((m) => m.to)];
  }

  /** The state a host is in (its latest `to`), or undefined before its first change. */
  currentState(host: HostName): TcpState | undefined {
    for (let i = this.states.length - 1; i >= 0; i--) {
      const m = this.states[i]!;
      if (m.host === host) return m.to;
    }
    return undefined;
  }

  addCommand(host: HostName, t: number, label: string): void {
    this.commands.push({ host, t, label });
  }

  add(e: TraceEvent): void {
    this.events.push(e);
    if (e.type === 'malformed') {
      this.malformed.push({ t: e.t, host: e.host, reason: e.reason });
      return;
    }
    if (e.type === 'state') {
      const host = this.hostNamed(e.host) ?? this.hostOf(`${e.conn.localAddress}:${e.conn.localPort}`);
      if (host) this.states.push({ host, t: e.t, conn: e.conn, from: e.from, to: e.to, cause: e.cause });
      return;
    }
    const from = this.hostOf(e.src);
    const to = this.hostOf(e.dst);
    if (!from || !to) return;
    const key = `${e.src}>${e.dst}`;
    if (e.event === 'send') {
      this.onSend(e.t, from, to, e.src, e.dst, e.segment, key);
      return;
    }
    // A 'drop' by the network (host 'net' or a host name that is not the receiver) is a loss;
    // a 'drop' by the receiving stack is an arrival that was not accepted.
    const byReceiver = this.hostNamed(e.host) === to;
    const seg = this.match(key, e.segment, e.event === 'recv' || byReceiver);
    if (e.event === 'drop' && !byReceiver) {
      const s = seg ?? this.onSend(e.t, from, to, e.src, e.dst, e.segment, key, true);
      this.takeFromFlight(key, s);
      s.lost = { t: e.t, reason: e.reason ?? 'dropped' };
      return;
    }
    if (e.event === 'drop') {
      // The engine drops after the stack traced the arrival; keep the earlier arrival time.
      const s = seg ?? this.onSend(e.t, from, to, e.src, e.dst, e.segment, key, true);
      this.takeFromFlight(key, s);
      if (s.arrived === undefined) s.arrived = e.t;
      s.rejected = e.reason ?? 'dropped';
      return;
    }
    if (!seg) {
      // An arrival we did not see leave (e.g. injected): draw it as sent when it arrived.
      const s = this.onSend(e.t, from, to, e.src, e.dst, e.segment, key, true);
      s.arrived = e.t;
      this.takeFromFlight(key, s);
      return;
    }
    if (seg.arrived === undefined && seg.lost === undefined) {
      seg.arrived = e.t;
      this.takeFromFlight(key, seg);
    } else {
      seg.duplicates.push(e.t);
    }
  }

  private hostNamed(name: string): HostName | undefined {
    return name === 'client' || name === 'server' ? name : undefined;
  }

  private onSend(
    t: number,
    from: HostName,
    to: HostName,
    src: Endpoint,
    dst: Endpoint,
    segment: TcpSegment,
    key: string,
    unseen = false,
  ): LadderSegment {
    const view = this.rel.view(src, dst, segment);
    const dir = this.dirs.get(key) ?? {};
    this.dirs.set(key, dir);
    const len = segLen(segment);
    const isSyn = (segment.flags & TcpFlag.SYN) !== 0;
    if (isSyn && dir.isn !== undefined && dir.isn !== segment.seq) {
      // A new incarnation of this 4-tuple: forget the old sequence space.
      dir.high = undefined;
    }
    if (isSyn) dir.isn = segment.seq;
    const end = seqAdd(segment.seq, len);
    const retransmission = len > 0 && dir.high !== undefined && seqLt(segment.seq, dir.high);
    if (len > 0 && (dir.high === undefined || seqGt(end, dir.high))) dir.high = end;
    const s: LadderSegment = {
      id: this.segments.length,
      from,
      to,
      src,
      dst,
      sent: t,
      duplicates: [],
      segment,
      view,
      retransmission,
    };
    this.segments.push(s);
    if (!unseen) {
      const q = this.inFlight.get(key) ?? [];
      q.push(s);
      this.inFlight.set(key, q);
    }
    return s;
  }

  /** The oldest unmatched segment of this direction equal to `seg` (reordering keeps them apart). */
  private match(key: string, seg: TcpSegment, _arrival: boolean): LadderSegment | undefined {
    const q = this.inFlight.get(key);
    const same = (s: LadderSegment) =>
      s.segment.seq === seg.seq &&
      s.segment.ack === seg.ack &&
      s.segment.flags === seg.flags &&
      s.segment.window === seg.window &&
      s.segment.payload.length === seg.payload.length;
    const found = q?.find(same);
    if (found) return found;
    // A duplicate delivery of a segment already matched: the latest equal one.
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const s = this.segments[i]!;
      if (`${s.src}>${s.dst}` === key && same(s)) return s;
    }
    return undefined;
  }

  private takeFromFlight(key: string, s: LadderSegment): void {
    const q = this.inFlight.get(key);
    if (!q) return;
    const i = q.indexOf(s);
    if (i >= 0) q.splice(i, 1);
  }

  /** Segments still travelling (sent, neither arrived nor lost). */
  inFlightSegments(): LadderSegment[] {
    return this.segments.filter((s) => s.arrived === undefined && s.lost === undefined);
  }
}
