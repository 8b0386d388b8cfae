/**
 * A flat, display-ready view of one traced segment: addresses, absolute and relative sequence
 * numbers, flag names, payload length, raw window and the options worth showing. Relative numbers
 * count from each direction's ISN, as Wireshark shows them ("relative sequence numbers"), so that a
 * reader sees seq=1 after the SYN whatever the random ISN (RFC 9293 §3.4.1, RFC 6528) was.
 */
import { seqDiff, type SeqNum } from '../wire/seqnum.js';
import { flagNames, TcpFlag, type TcpFlagName, type TcpSegment } from '../wire/tcp-segment.js';
import type { Endpoint } from '../stack/trace-event.js';

export interface SegmentView {
  src: Endpoint;
  dst: Endpoint;
  /** Absolute sequence and acknowledgment numbers (unsigned 32-bit). */
  seq: number;
  ack: number;
  /** Relative to the ISN of the direction (seq) and of the reverse direction (ack). */
  relSeq: number;
  relAck: number;
  flags: TcpFlagName[];
  /** Payload bytes (SEG.LEN minus SYN and FIN). */
  len: number;
  /** The raw window field (unscaled). */
  win: number;
  mss?: number;
  wscale?: number;
  sackPermitted?: boolean;
  /** SACK blocks, relative to the reverse direction's ISN like the ACK number. */
  sack?: [number, number][];
  timestamps?: { tsVal: number; tsEcr: number };
}

/** `true` when the segment carries this flag. */
export function hasFlag(v: { flags: readonly TcpFlagName[] }, f: TcpFlagName): boolean {
  return v.flags.includes(f);
}

/** SEG.LEN as RFC 9293 §3.4 counts it: payload, plus one for SYN and one for FIN. */
export function viewSegLen(v: SegmentView): number {
  return v.len + (hasFlag(v, 'SYN') ? 1 : 0) + (hasFlag(v, 'FIN') ? 1 : 0);
}

/**
 * Tracks the base (ISN) of every direction seen so far. One instance per trace: the send and the
 * receive events of one segment then show the same relative numbers.
 */
export class RelativeSeq {
  private readonly base = new Map<string, number>();

  /** The base chosen for the direction src → dst, if any segment of it was seen. */
  baseOf(src: Endpoint, dst: Endpoint): number | undefined {
    return this.base.get(`${src}>${dst}`);
  }

  view(src: Endpoint, dst: Endpoint, seg: TcpSegment): SegmentView {
    const fwd = `${src}>${dst}`;
    const rev = `${dst}>${src}`;
    const isSyn = (seg.flags & TcpFlag.SYN) !== 0;
    const known = this.base.get(fwd);
    // A SYN with a new sequence number starts a new incarnation of the 4-tuple (e.g. a new
    // connection after TIME-WAIT): its ISN becomes the base. Otherwise the first segment seen is.
    if (known === undefined || (isSyn && known !== seg.seq)) this.base.set(fwd, seg.seq);
    const hasAck = (seg.flags & TcpFlag.ACK) !== 0;
    if (!this.base.has(rev) && hasAck) this.base.set(rev, seg.ack);
    const seqBase = this.base.get(fwd) as number;
    const ackBase = this.base.get(rev);
    const rel = (x: number, b: number): number => seqDiff(x as SeqNum, b as SeqNum) >>> 0;
    const v: SegmentView = {
      src,
      dst,
      seq: seg.seq >>> 0,
      ack: seg.ack >>> 0,
      relSeq: rel(seg.seq, seqBase),
      relAck: hasAck && ackBase !== undefined ? rel(seg.ack, ackBase) : 0,
      flags: flagNames(seg.flags),
      len: seg.payload.length,
      win: seg.window,
    };
    const o = seg.options;
    if (o.mss !== undefined) v.mss = o.mss;
    if (o.windowScale !== undefined) v.wscale = o.windowScale;
    if (o.sackPermitted) v.sackPermitted = true;
    if (o.sack && o.sack.length > 0 && ackBase !== undefined) {
      v.sack = o.sack.map((b) => [rel(b.left, ackBase), rel(b.right, ackBase)]);
    }
    if (o.timestamps) v.timestamps = { tsVal: o.timestamps.tsVal, tsEcr: o.timestamps.tsEcr };
    return v;
  }
}

/** "SYN,ACK" — the flags as Wireshark's info column lists them (SYN, FIN, RST, PSH, ACK …). */
export function flagText(v: { flags: readonly TcpFlagName[] }): string {
  return v.flags.length === 0 ? '(none)' : v.flags.join(',');
}

/**
 * The one-line label of an arrow: flags, then the relative numbers that matter for them
 * ("SYN seq=0", "ACK ack=1", "PSH,ACK seq=1 ack=1 len=78"), window and MSS when set.
 */
export function segmentLabel(
  v: SegmentView,
  opts: { absolute?: boolean; window?: boolean } = {},
): string {
  const s = opts.absolute ? v.seq : v.relSeq;
  const a = opts.absolute ? v.ack : v.relAck;
  const parts = [flagText(v), `seq=${s}`];
  if (hasFlag(v, 'ACK')) parts.push(`ack=${a}`);
  if (v.len > 0 || !(hasFlag(v, 'SYN') || hasFlag(v, 'FIN') || hasFlag(v, 'RST')))
    parts.push(`len=${v.len}`);
  if (opts.window || v.win === 0) parts.push(`win=${v.win}`);
  if (v.mss !== undefined) parts.push(`mss=${v.mss}`);
  if (v.sack && v.sack.length > 0)
    parts.push(`sack=${v.sack.map(([l, r]) => `${l}-${r}`).join(',')}`);
  return parts.join(' ');
}
