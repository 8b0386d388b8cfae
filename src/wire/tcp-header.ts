/**
 * The TCP header (RFC 9293 §3.1, Figure 1): ports, sequence and acknowledgment numbers, data offset,
 * control bits, window, checksum, urgent pointer, options, then data.
 */
import { seq } from './seqnum.js';
import { NO_OPTIONS, type TcpOptions, type TcpSegment } from './tcp-segment.js';
import { fail, ok, type ParseFailure, type ParseResult } from './parse-error.js';
import { emitTcpOptions, readTcpOptions, tcpOptionsLength } from './tcp-options.js';

export const TCP_HEADER_MIN = 20;
/** Offset of the checksum field inside the TCP header. */
export const TCP_CHECKSUM_OFFSET = 16;

/** Header length in bytes (20 + padded options) that `emitTcp` writes for these options. */
export function tcpHeaderLength(options: TcpOptions): number {
  return TCP_HEADER_MIN + tcpOptionsLength(options);
}

/**
 * Parses a TCP header + payload from `bytes` (the whole IP payload). Does not verify the checksum:
 * that needs the pseudo-header, which `ip-packet.ts` has. The payload is a view into `bytes`
 * (no copy); the 4 reserved bits are ignored (RFC 9293 §3.1: "must be zero", receivers ignore).
 */
export function parseTcp(bytes: Uint8Array): ParseResult<TcpSegment> {
  const r = tcpSegmentAt(bytes, 0, bytes.length);
  return 'srcPort' in r ? ok(r) : r;
}

/** An empty payload: one shared array rather than an empty view per segment (most carry none). */
const NO_PAYLOAD = new Uint8Array(0);

export type { ParseFailure } from './parse-error.js';

/**
 * parseTcp's work on bytes[start, end), without making that range a view first: the segment
 * itself, or the failure — no result wrapper around a segment (parsePacket, which makes a wrapper
 * of its own, reads the segment straight out of the IP packet with this, once per packet).
 */
export function tcpSegmentAt(b: Uint8Array, start: number, end: number): TcpSegment | ParseFailure {
  const length = end - start;
  if (length < TCP_HEADER_MIN) {
    return fail('truncated', `TCP header needs 20 bytes, have ${length}`);
  }
  const o = start;
  const dataOffset = (b[o + 12] as number) >>> 4;
  if (dataOffset < 5) return fail('bad-data-offset', `data offset ${dataOffset} < 5`);
  const hlen = dataOffset * 4;
  if (hlen > length) {
    return fail(
      'bad-data-offset',
      `data offset ${dataOffset} (${hlen} bytes) beyond ${length} bytes`,
    );
  }
  // A header without options (every segment after the handshake, here) shares NO_OPTIONS.
  let options = NO_OPTIONS;
  if (hlen > TCP_HEADER_MIN) {
    const opts = readTcpOptions(b, o + TCP_HEADER_MIN, o + hlen);
    if ('ok' in opts) return opts;
    options = opts;
  }
  return {
    srcPort: ((b[o] as number) << 8) | (b[o + 1] as number),
    dstPort: ((b[o + 2] as number) << 8) | (b[o + 3] as number),
    seq: seq(
      ((b[o + 4] as number) << 24) |
        ((b[o + 5] as number) << 16) |
        ((b[o + 6] as number) << 8) |
        (b[o + 7] as number),
    ),
    ack: seq(
      ((b[o + 8] as number) << 24) |
        ((b[o + 9] as number) << 16) |
        ((b[o + 10] as number) << 8) |
        (b[o + 11] as number),
    ),
    flags: b[o + 13] as number,
    window: ((b[o + 14] as number) << 8) | (b[o + 15] as number),
    urgent: ((b[o + 18] as number) << 8) | (b[o + 19] as number),
    options,
    payload: hlen === length ? NO_PAYLOAD : b.subarray(o + hlen, end),
  };
}

/** Reads the checksum field of a TCP header (for traces and tests). */
export function tcpChecksumField(bytes: Uint8Array): number {
  return ((bytes[16] as number) << 8) | (bytes[17] as number);
}

/**
 * Serializes `seg` (header, options, payload) with the checksum field zero; the caller, who knows
 * the addresses, fills it in (ip-packet.ts). Writes into `into` at `offset` when given (it must have
 * room), else into a new array of exactly the segment's length. Returns the written bytes.
 */
export function emitTcp(seg: TcpSegment, into?: Uint8Array, offset = 0): Uint8Array {
  if (into === undefined) {
    const b = new Uint8Array(tcpHeaderLength(seg.options) + seg.payload.length);
    writeTcp(seg, b, 0);
    return b;
  }
  const total = writeTcp(seg, into, offset);
  return into.subarray(offset, offset + total);
}

/**
 * emitTcp into `b` at `offset`, returning the bytes written rather than a view of them: a view of
 * a small (on-heap) array makes V8 move its bytes to a separate buffer first, which cost more than
 * building the whole packet — buildTcpPacket has no use for the view.
 */
export function writeTcp(seg: TcpSegment, b: Uint8Array, offset: number): number {
  const hlen = tcpHeaderLength(seg.options);
  const total = hlen + seg.payload.length;
  if (offset + total > b.length) {
    throw new RangeError(`TCP segment needs ${total} bytes at ${offset}, buffer is ${b.length}`);
  }
  writeTcpHeader(seg, b, offset, hlen);
  if (seg.payload.length > 0) b.set(seg.payload, offset + hlen);
  return total;
}

/**
 * The header of `seg`, options included, at `b[o]`: `hlen` bytes, which must be
 * tcpHeaderLength(seg.options) (the caller computed it once, for the packet's size too) and fit.
 * The checksum field is left zero.
 */
export function writeTcpHeader(seg: TcpSegment, b: Uint8Array, o: number, hlen: number): void {
  b[o] = (seg.srcPort >>> 8) & 0xff;
  b[o + 1] = seg.srcPort & 0xff;
  b[o + 2] = (seg.dstPort >>> 8) & 0xff;
  b[o + 3] = seg.dstPort & 0xff;
  b[o + 4] = (seg.seq >>> 24) & 0xff;
  b[o + 5] = (seg.seq >>> 16) & 0xff;
  b[o + 6] = (seg.seq >>> 8) & 0xff;
  b[o + 7] = seg.seq & 0xff;
  b[o + 8] = (seg.ack >>> 24) & 0xff;
  b[o + 9] = (seg.ack >>> 16) & 0xff;
  b[o + 10] = (seg.ack >>> 8) & 0xff;
  b[o + 11] = seg.ack & 0xff;
  b[o + 12] = (hlen / 4) << 4;
  b[o + 13] = seg.flags & 0xff;
  b[o + 14] = (seg.window >>> 8) & 0xff;
  b[o + 15] = seg.window & 0xff;
  b[o + 16] = 0;
  b[o + 17] = 0;
  b[o + 18] = (seg.urgent >>> 8) & 0xff;
  b[o + 19] = seg.urgent & 0xff;
  // Options that take no bytes (none, or only empty lists) write nothing.
  if (hlen > TCP_HEADER_MIN) emitTcpOptions(seg.options, b, o + TCP_HEADER_MIN);
}
