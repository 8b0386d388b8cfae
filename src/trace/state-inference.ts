/**
 * Infers each side's connection state from the segments alone, for captures made by anyone (a
 * tcpdump of two Linux hosts has no state events). A small observer that replays RFC 9293's
 * transitions (Figure 5 and §3.10.7) from what it sees on the wire: a SYN sent means the sender
 * did an active OPEN (SYN-SENT), a SYN received by an unknown side means it was LISTENing, a FIN
 * sent means the application CLOSEd, an ACK covering a FIN moves the FIN's sender on, and so on.
 * Every state it reports is marked `inferred`: it is what the wire implies, not what a host said.
 * What the wire cannot show (the 2·MSL timer ending TIME-WAIT) is not invented.
 */
import { seqAdd, seqGe, type SeqNum } from '../wire/seqnum.js';
import { TcpFlag, type TcpSegment } from '../wire/tcp-segment.js';
import type { StateCause } from '../tcp/events.js';
import type { TcpState } from '../tcp/state.js';
import type { FourTuple } from '../stack/trace-event.js';
import { parseEndpoint } from './endpoint.js';
import type { StateTraced } from './traced.js';

interface Side {
  endpoint: string;
  state: TcpState | undefined;
  iss?: SeqNum;
  /** Sequence number of our FIN, once sent. */
  fin?: SeqNum;
  passive: boolean;
  /** A SYN this side received while its state was unknown: LISTEN only if it answers SYN,ACK. */
  pendingSyn?: Observation;
}

/** One observed segment: who sent it to whom, and when. */
export interface Observation {
  t: number;
  src: string;
  dst: string;
  segment: TcpSegment;
}

export class StateInference {
  private readonly conns = new Map<string, [Side, Side]>();

  constructor(
    /** The lane (host) name of an endpoint; by default its address. */
    private readonly hostOf: (endpoint: string) => string = (e) => parseEndpoint(e)?.address ?? e,
  ) {}

  private sides(src: string, dst: string): [Side, Side] {
    const key = src < dst ? `${src}|${dst}` : `${dst}|${src}`;
    let c = this.conns.get(key);
    if (!c) {
      const mk = (endpoint: string): Side => ({ endpoint, state: undefined, passive: false });
      c = [mk(src), mk(dst)];
      this.conns.set(key, c);
    }
    return c[0].endpoint === src ? [c[0], c[1]] : [c[1], c[0]];
  }

  /** States implied by the sender having sent `o` (before it leaves). */
  beforeSend(o: Observation): StateTraced[] {
    const [s, r] = this.sides(o.src, o.dst);
    const f = o.segment.flags;
    const out: StateTraced[] = [];
    const go = (to: TcpState, cause: StateCause, from?: TcpState): void => {
      out.push(this.change(s, r, from ?? s.state ?? 'CLOSED', to, cause, o.t));
    };
    const syn = s.pendingSyn;
    s.pendingSyn = undefined;
    if ((f & TcpFlag.RST) !== 0) {
      // A RST answering a SYN says nothing listened (RFC 9293 §3.10.7.1): no state to show.
      if (s.state !== undefined && s.state !== 'CLOSED' && s.state !== 'LISTEN') {
        go('CLOSED', { kind: 'call', call: 'abort' });
      }
      return out;
    }
    if (syn && (f & (TcpFlag.SYN | TcpFlag.ACK)) === (TcpFlag.SYN | TcpFlag.ACK)) {
      // It answered the SYN: it was listening, and went SYN-RECEIVED when the SYN arrived.
      s.passive = true;
      out.push(
        this.change(
          s,
          r,
          'LISTEN',
          'SYN-RECEIVED',
          { kind: 'segment', segment: syn.segment },
          syn.t,
        ),
      );
    }
    if ((f & TcpFlag.SYN) !== 0) {
      s.iss = o.segment.seq;
      if ((f & TcpFlag.ACK) === 0 && (s.state === undefined || s.state === 'CLOSED')) {
        go('SYN-SENT', { kind: 'call', call: 'open' }, 'CLOSED');
        // Its SYN crossed the peer's (seen first by the capture): a simultaneous open (Figure 8).
        if (syn) go('SYN-RECEIVED', { kind: 'segment', segment: syn.segment });
      } else if ((f & TcpFlag.ACK) !== 0 && s.state === undefined) {
        // A SYN,ACK from a side we never saw receive the SYN: it was listening.
        s.passive = true;
        go('SYN-RECEIVED', { kind: 'call', call: 'listen' }, 'LISTEN');
      }
    }
    if ((f & TcpFlag.FIN) !== 0 && s.fin === undefined) {
      s.fin = seqAdd(o.segment.seq, o.segment.payload.length + ((f & TcpFlag.SYN) !== 0 ? 1 : 0));
      if (s.state === undefined) s.state = 'ESTABLISHED';
      if (s.state === 'ESTABLISHED' || s.state === 'SYN-RECEIVED')
        go('FIN-WAIT-1', { kind: 'call', call: 'close' });
      else if (s.state === 'CLOSE-WAIT') go('LAST-ACK', { kind: 'call', call: 'close' });
    }
    if (s.state === undefined && (f & TcpFlag.SYN) === 0) s.state = 'ESTABLISHED';
    return out;
  }

  /** States implied by the receiver getting `o`. */
  afterReceive(o: Observation): StateTraced[] {
    const [s, r] = this.sides(o.src, o.dst);
    const f = o.segment.flags;
    const out: StateTraced[] = [];
    const cause: StateCause = { kind: 'segment', segment: o.segment };
    const go = (to: TcpState, from?: TcpState): void => {
      out.push(this.change(r, s, from ?? r.state ?? 'CLOSED', to, cause, o.t));
    };
    if ((f & TcpFlag.RST) !== 0) {
      if (r.state === 'SYN-RECEIVED' && r.passive) go('LISTEN');
      else if (r.state !== undefined && r.state !== 'CLOSED' && r.state !== 'LISTEN') go('CLOSED');
      return out;
    }
    const syn = (f & TcpFlag.SYN) !== 0;
    const ack = (f & TcpFlag.ACK) !== 0;
    if (syn && !ack) {
      if (r.state === undefined || r.state === 'CLOSED' || r.state === 'LISTEN') {
        // Listening or not is known only from the answer (SYN,ACK or RST): decided in beforeSend.
        r.pendingSyn = o;
      } else if (r.state === 'SYN-SENT') {
        go('SYN-RECEIVED'); // simultaneous open (RFC 9293 Figure 8)
      }
      return out;
    }
    if (syn && ack) {
      if (
        (r.state === 'SYN-SENT' || r.state === 'SYN-RECEIVED') &&
        this.acks(o.segment, r.iss, 1)
      ) {
        go('ESTABLISHED');
      }
      return out;
    }
    if (r.state === undefined) r.state = 'ESTABLISHED';
    if (ack) {
      if (r.state === 'SYN-RECEIVED' && this.acks(o.segment, r.iss, 1)) go('ESTABLISHED');
      if (r.fin !== undefined && this.acks(o.segment, r.fin, 1)) {
        if (r.state === 'FIN-WAIT-1') go('FIN-WAIT-2');
        else if (r.state === 'CLOSING') go('TIME-WAIT');
        else if (r.state === 'LAST-ACK') go('CLOSED');
      }
    }
    if ((f & TcpFlag.FIN) !== 0) {
      if (r.state === 'ESTABLISHED') go('CLOSE-WAIT');
      else if (r.state === 'FIN-WAIT-1') go('CLOSING');
      else if (r.state === 'FIN-WAIT-2') go('TIME-WAIT');
    }
    return out;
  }

  /** True when the segment's ACK covers `base + n`. */
  private acks(seg: TcpSegment, base: SeqNum | undefined, n: number): boolean {
    return base !== undefined && (seg.flags & TcpFlag.ACK) !== 0 && seqGe(seg.ack, seqAdd(base, n));
  }

  private change(
    side: Side,
    peer: Side,
    from: TcpState,
    to: TcpState,
    cause: StateCause,
    t: number,
  ): StateTraced {
    side.state = to;
    const l = parseEndpoint(side.endpoint);
    const p = parseEndpoint(peer.endpoint);
    const conn: FourTuple = {
      localAddress: l?.address ?? side.endpoint,
      localPort: l?.port ?? 0,
      remoteAddress: p?.address ?? peer.endpoint,
      remotePort: p?.port ?? 0,
    };
    return {
      type: 'state',
      t,
      host: this.hostOf(side.endpoint),
      conn,
      from,
      to,
      cause,
      inferred: true,
    };
  }
}
