/**
 * The decoded form of a TCP segment, shared by the wire codec (which parses and emits it) and the
 * engine (which consumes and produces it). Header fields per RFC 9293 §3.1.
 */
import type { SeqNum } from './seqnum.js';

/** Control bits (RFC 9293 §3.1, with ECE/CWR from RFC 3168), as a bit mask in header order. */
export const TcpFlag = {
  FIN: 0x01,
  SYN: 0x02,
  RST: 0x04,
  PSH: 0x08,
  ACK: 0x10,
  URG: 0x20,
  ECE: 0x40,
  CWR: 0x80,
} as const;
export type TcpFlagName = keyof typeof TcpFlag;

/** Names of the bits set in `flags`, in the order SYN, FIN, RST, PSH, ACK, URG, ECE, CWR. */
export function flagNames(flags: number): TcpFlagName[] {
  const order: TcpFlagName[] = ['SYN', 'FIN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];
  return order.filter((n) => (flags & TcpFlag[n]) !== 0);
}

/** One SACK block (RFC 2018): the bytes [left, right). */
export interface SackBlock {
  left: SeqNum;
  right: SeqNum;
}

/**
 * TCP options (RFC 9293 §3.2; window scale and timestamps RFC 7323; SACK RFC 2018). Absent fields
 * were not present. Unknown options are kept (kind + raw data) so that a capture can show them.
 */
export interface TcpOptions {
  mss?: number;
  windowScale?: number;
  sackPermitted?: boolean;
  sack?: SackBlock[];
  timestamps?: { tsVal: number; tsEcr: number };
  unknown?: { kind: number; data: Uint8Array }[];
}

/**
 * The options of a segment that carries none (most after the handshake): one shared, frozen
 * object rather than an empty one per segment built or parsed. Build a new object to add options.
 */
export const NO_OPTIONS: TcpOptions = Object.freeze({});

export interface TcpSegment {
  srcPort: number;
  dstPort: number;
  seq: SeqNum;
  ack: SeqNum;
  /** Bit mask of TcpFlag values. */
  flags: number;
  /** The raw 16-bit window field, NOT scaled (scaling is the engine's business, RFC 7323 §2.3). */
  window: number;
  urgent: number;
  options: TcpOptions;
  payload: Uint8Array;
}

/**
 * Segment length as RFC 9293 §3.4 counts it (SEG.LEN): payload bytes plus one for SYN and one
 * for FIN, since each occupies a sequence number.
 */
export function segLen(s: Pick<TcpSegment, 'flags' | 'payload'>): number {
  return (
    s.payload.length +
    ((s.flags & TcpFlag.SYN) !== 0 ? 1 : 0) +
    ((s.flags & TcpFlag.FIN) !== 0 ? 1 : 0)
  );
}
