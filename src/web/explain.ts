/**
 * One line on why a segment was sent, read off the run itself: its flags, whether it repeats
 * sequence space already sent, the sender's state changes and commands at that instant, and what
 * the sender had just received. Each line names the RFC section that makes TCP send it.
 */
import { seqAdd } from '../wire/seqnum.js';
import { segLen, TcpFlag } from '../wire/tcp-segment.js';
import type { LadderSegment, Timeline } from './timeline.js';

const has = (s: LadderSegment, f: number): boolean => (s.segment.flags & f) !== 0;

/** Pure ACKs the sender sent earlier in this direction (latest first). */
function earlierAcks(tl: Timeline, seg: LadderSegment): LadderSegment[] {
  return tl.segments
    .filter((s) => s.id < seg.id && s.src === seg.src && s.dst === seg.dst)
    .reverse();
}

/** What the sender received at the same instant (the segment it is answering, if any). */
function justReceived(tl: Timeline, seg: LadderSegment): LadderSegment | undefined {
  let best: LadderSegment | undefined;
  for (const s of tl.segments) {
    if (s.to !== seg.from || s.arrived === undefined || s.arrived > seg.sent) continue;
    if (s.arrived === seg.sent && (!best || s.id > best.id)) best = s;
  }
  return best;
}

/** Duplicate ACKs the sender received since the last ACK that advanced (RFC 5681 §2). */
function dupAcksBefore(tl: Timeline, seg: LadderSegment): number {
  const acks = tl.segments.filter(
    (s) =>
      s.to === seg.from &&
      s.from === seg.to &&
      s.arrived !== undefined &&
      s.arrived <= seg.sent &&
      has(s, TcpFlag.ACK),
  );
  let dups = 0;
  for (let i = acks.length - 1; i > 0; i--) {
    const a = acks[i]!;
    const prev = acks[i - 1]!;
    if (a.segment.ack === prev.segment.ack && a.segment.payload.length === 0 && !has(a, TcpFlag.SYN | TcpFlag.FIN)) {
      dups++;
    } else break;
  }
  return dups;
}

function senderChange(tl: Timeline, seg: LadderSegment) {
  return tl.states.filter((m) => m.host === seg.from && m.t === seg.sent);
}

function stateAt(tl: Timeline, seg: LadderSegment) {
  let st: string | undefined;
  for (const m of tl.states) if (m.host === seg.from && m.t < seg.sent) st = m.to;
  return st;
}

export function explainSegment(tl: Timeline, seg: LadderSegment): string {
  const who = seg.from === 'client' ? 'The client' : 'The server';
  const changes = senderChange(tl, seg);
  const calls = changes.flatMap((c) => (c.cause.kind === 'call' ? [c.cause.call] : []));
  const cmdHere = tl.commands.filter((c) => c.host === seg.from && c.t === seg.sent).map((c) => c.label);
  const got = justReceived(tl, seg);
  const gotFlags = (f: number) => got !== undefined && has(got, f);

  if (has(seg, TcpFlag.RST)) {
    if (calls.includes('abort') || cmdHere.some((c) => c.startsWith('abort')))
      return `${who} called ABORT: a RST tells the peer to drop the connection at once (RFC 9293 §3.10.5).`;
    if (got?.rejected === 'no-listener' || (got && stateAt(tl, seg) === undefined))
      return `Nothing listens on port ${seg.segment.srcPort}: ${who.toLowerCase()} answers the segment with a RST (RFC 9293 §3.10.7.1).`;
    return `${who} answers a segment no connection can accept with a RST (RFC 9293 §3.10.7).`;
  }
  if (has(seg, TcpFlag.SYN) && !has(seg, TcpFlag.ACK)) {
    if (seg.retransmission)
      return `SYN retransmitted: no SYN,ACK came back before the retransmission timer expired; the RTO doubles each time (RFC 6298 §5.5, RFC 9293 §3.8.1).`;
    return `Active OPEN: ${who.toLowerCase()} sends SYN with its initial sequence number and options (MSS, window scale, SACK) to start the three-way handshake (RFC 9293 §3.5, §3.10.1).`;
  }
  if (has(seg, TcpFlag.SYN)) {
    if (seg.retransmission)
      return `SYN,ACK retransmitted: the ACK that completes the handshake did not arrive in time (RFC 9293 §3.8.1, RFC 6298 §5).`;
    if (changes.some((c) => c.from === 'SYN-SENT'))
      return `Simultaneous open: ${who.toLowerCase()} got a SYN while its own SYN was out, so it acknowledges it with a SYN,ACK (RFC 9293 §3.5, §3.10.7.3).`;
    return `${who} answers the SYN: it acknowledges the peer's ISN (ack = ISN+1) and sends its own ISN (RFC 9293 §3.10.7.2).`;
  }
  if (has(seg, TcpFlag.FIN)) {
    if (seg.retransmission)
      return `FIN retransmitted: its acknowledgment did not arrive before the retransmission timer expired (RFC 9293 §3.10.4, RFC 6298 §5).`;
    const passive = changes.some((c) => c.to === 'LAST-ACK') || stateAt(tl, seg) === 'CLOSE-WAIT';
    const half = cmdHere.some((c) => c.startsWith('shutdown'));
    const dataNote = seg.segment.payload.length > 0 ? ` after its last ${seg.segment.payload.length} bytes` : '';
    if (passive)
      return `${who} has nothing more to send after the peer's FIN: CLOSE sends its own FIN${dataNote} (RFC 9293 §3.10.4, §3.6).`;
    if (half)
      return `Half-close: ${who.toLowerCase()} shuts down writing; its FIN${dataNote} says no more data will come, while it can still receive (RFC 9293 §3.6, §3.10.4).`;
    return `${who} called CLOSE: a FIN${dataNote} marks the end of its data (RFC 9293 §3.10.4).`;
  }
  const len = seg.segment.payload.length;
  if (len > 0) {
    if (seg.retransmission) {
      const dups = dupAcksBefore(tl, seg);
      if (dups >= 3)
        return `Fast retransmit: ${dups} duplicate ACKs said this segment was lost, so it is resent without waiting for the timer (RFC 5681 §3.2).`;
      if (len === 1 && got && got.segment.window === 0)
        return `Zero-window probe: the peer's window is closed; one byte asks whether it has opened (RFC 9293 §3.8.6.1).`;
      return `Retransmission: no acknowledgment arrived before the retransmission timer (RTO) expired, so the oldest unacknowledged data is resent (RFC 6298 §5.4, RFC 9293 §3.8.1).`;
    }
    return `${len} bytes of new data from the send buffer, allowed by the peer's window and the congestion window (RFC 9293 §3.8.6, RFC 5681 §3.1).`;
  }
  // A segment with ACK only.
  if (got?.rejected && /challenged/.test(got.rejected))
    return `Challenge ACK: the arriving ${got.view.flags.join(',')} could be forged, so ${who.toLowerCase()} answers with an ACK of what it expects instead of acting on it (RFC 5961).`;
  if (got?.rejected)
    return `The arriving segment was not acceptable (${got.rejected}); RFC 9293 §3.10.7.4 answers it with an ACK of RCV.NXT.`;
  if (changes.some((c) => c.from === 'SYN-SENT' && c.to === 'ESTABLISHED'))
    return `Completes the three-way handshake: ${who.toLowerCase()} acknowledges the peer's SYN; both sides are now ESTABLISHED (RFC 9293 §3.5).`;
  if (gotFlags(TcpFlag.FIN) && got && seg.segment.ack === seqAdd(got.segment.seq, segLen(got.segment)))
    return `Acknowledges the peer's FIN (it occupies one sequence number, so ack = FIN's seq + 1) (RFC 9293 §3.10.7.4, eighth step).`;
  const prev = earlierAcks(tl, seg)[0];
  if (got && got.segment.payload.length > 0 && prev && prev.segment.ack === seg.segment.ack)
    return `Duplicate ACK: data arrived out of order (a gap before it), so the ACK repeats the next byte expected (RFC 5681 §4.2, RFC 9293 §3.10.7.4).`;
  if (!got && prev && prev.segment.ack === seg.segment.ack && seg.segment.window !== prev.segment.window)
    return `Window update: the application read data and the receive window reopened (RFC 9293 §3.8.6.2.2).`;
  if (!got)
    return `Delayed ACK: the ACK timer fired before a second segment arrived to acknowledge together (RFC 9293 §3.8.6.3, RFC 5681 §4.2).`;
  return `Acknowledges the data received so far: ack is the next byte expected (RCV.NXT) (RFC 9293 §3.10.7.4).`;
}

/** One line for a lost or rejected segment, added after the reason it was sent. */
export function fateOf(seg: LadderSegment): string | undefined {
  if (seg.lost) {
    const why =
      seg.lost.reason === 'manual' || seg.lost.reason === 'drop-next'
        ? 'dropped on purpose (“drop the next segment”)'
        : `dropped by the network (${seg.lost.reason})`;
    return `Lost: ${why}. The sender learns it from a timeout or duplicate ACKs.`;
  }
  if (seg.rejected) return `Arrived but not accepted by the receiver: ${seg.rejected}.`;
  if (seg.arrived === undefined) return 'In flight.';
  return undefined;
}
