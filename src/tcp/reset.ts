/**
 * The reset that answers a segment which reaches no connection (RFC 9293 §3.10.7.1, "If the state
 * is CLOSED"): the stack calls it when nothing matches a segment's 4-tuple, the engine when a
 * segment reaches a deleted TCB or a LISTEN with an ACK (§3.10.7.2).
 */
import { seq, seqAdd } from '../wire/seqnum.js';
import { TcpFlag, segLen, type TcpSegment } from '../wire/tcp-segment.js';

/**
 * §3.10.7.1: "An incoming segment containing a RST is discarded. An incoming segment not containing
 * a RST causes a RST to be sent in response": <SEQ=SEG.ACK><CTL=RST> when the ACK bit is on,
 * otherwise <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>. Ports are swapped.
 */
export function resetFor(seg: TcpSegment): TcpSegment | undefined {
  if ((seg.flags & TcpFlag.RST) !== 0) return undefined;
  const base = {
    srcPort: seg.dstPort,
    dstPort: seg.srcPort,
    window: 0,
    urgent: 0,
    options: {},
    payload: new Uint8Array(0),
  };
  if ((seg.flags & TcpFlag.ACK) !== 0) {
    return { ...base, seq: seq(seg.ack), ack: seq(0), flags: TcpFlag.RST };
  }
  return {
    ...base,
    seq: seq(0),
    ack: seqAdd(seq(seg.seq), segLen(seg)),
    flags: TcpFlag.RST | TcpFlag.ACK,
  };
}
