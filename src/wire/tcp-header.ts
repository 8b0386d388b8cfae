/**
 * The TCP header (RFC 9293 §3.1, Figure 1): ports, sequence and acknowledgment numbers, data offset,
 * control bits, window, checksum, urgent pointer, options, then data.
 */
import { seq } from './seqnum.js';
import type { TcpOptions, TcpSegment } from './tcp-segment.js';
import { fail, ok, type ParseResult } from './parse-error.js';
import { emitTcpOptions, parseTcpOptions, tcpOptionsLength } from './tcp-options.js';

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
  if (bytes.length < TCP_HEADER_MIN) {
    return fail('truncated', `TCP header needs 20 bytes, have ${bytes.length}`);
  }
  const b = bytes;
  const dataOffset = (b[12] as number) >>> 4;
  if (dataOffset < 5) return fail('bad-data-offset', `data offset ${dataOffset} < 5`);
  const hlen = dataOffset * 4;
  if (hlen > b.length) {
    return fail(
      'bad-data-offset',
      `data offset ${dataOffset} (${hlen} bytes) beyond ${b.length} bytes`,
    );
  }
  const opts = parseTcpOptions(b, TCP_HEADER_MIN, hlen);
  if (!opts.ok) return opts;
  return ok({
    srcPort: ((b[0] as number) << 8) | (b[1] as number),
    dstPort: ((b[2] as number) << 8) | (b[3] as number),
    seq: seq(
      ((b[4] as number) << 24) |
        ((b[5] as number) << 16) |
        ((b[6] as number) << 8) |
        (b[7] as number),
    ),
    ack: seq(
      ((b[8] as number) << 24) |
        ((b[9] as number) << 16) |
        ((b[10] as number) << 8) |
        (b[11] as number),
    ),
    flags: b[13] as number,
    window: ((b[14] as number) << 8) | (b[15] as number),
    urgent: ((b[18] as number) << 8) | (b[19] as number),
    options: opts.value,
    payload: b.subarray(hlen),
  });
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
  const hlen = tcpHeaderLength(seg.options);
  const total = hlen + seg.payload.length;
  let b: Uint8Array;
  if (into === undefined) {
    b = new Uint8Array(total);
    offset = 0;
  } else {
    if (offset + total > into.length) {
      throw new RangeError(
        `TCP segment needs ${total} bytes at ${offset}, buffer is ${into.length}`,
      );
    }
    b = into;
  }
  const o = offset;
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
  emitTcpOptions(seg.options, b, o + TCP_HEADER_MIN);
  b.set(seg.payload, o + hlen);
  return into === undefined ? b : b.subarray(o, o + total);
}
