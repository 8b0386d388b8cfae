/**
 * TCP options (RFC 9293 §3.2): End of Option List (0), No-Operation (1), Maximum Segment Size (2),
 * Window Scale (3, RFC 7323 §2.2), SACK-Permitted (4) and SACK (5) (RFC 2018 §2-3), Timestamps
 * (8, RFC 7323 §3.2). Other kinds are skipped by their length and kept raw in `unknown`.
 */
import { seq } from './seqnum.js';
import { NO_OPTIONS, type SackBlock, type TcpOptions } from './tcp-segment.js';
import { fail, ok, type ParseFailure, type ParseResult } from './parse-error.js';

export const TcpOptionKind = {
  EOL: 0,
  NOP: 1,
  MSS: 2,
  WINDOW_SCALE: 3,
  SACK_PERMITTED: 4,
  SACK: 5,
  TIMESTAMPS: 8,
} as const;

/** The TCP header carries at most 40 bytes of options (data offset ≤ 15 words, RFC 9293 §3.1). */
export const MAX_OPTIONS_LENGTH = 40;

/** The one fixed length each known kind must have (SACK is 2 + 8n, checked separately). */
const FIXED_LENGTH: Record<number, number> = { 2: 4, 3: 3, 4: 2, 8: 10 };

function u16(b: Uint8Array, o: number): number {
  return ((b[o] as number) << 8) | (b[o + 1] as number);
}
function u32(b: Uint8Array, o: number): number {
  return (
    (((b[o] as number) << 24) |
      ((b[o + 1] as number) << 16) |
      ((b[o + 2] as number) << 8) |
      (b[o + 3] as number)) >>>
    0
  );
}

/**
 * Parses the option bytes `b[start, end)`. RFC 9293 §3.2 says an implementation must be prepared for
 * an illegal option length (zero, one, or running past the header): those give `bad-option`, as does
 * a known kind with the wrong length. Bytes after End of Option List are padding and ignored.
 */
export function parseTcpOptions(
  b: Uint8Array,
  start = 0,
  end: number = b.length,
): ParseResult<TcpOptions> {
  const r = readTcpOptions(b, start, end);
  return 'ok' in r ? r : ok(r);
}

/**
 * parseTcpOptions' work without the result wrapper (a segment's parse, which has one of its own,
 * reads every SYN's options with this): the options, or the failure.
 */
export function readTcpOptions(
  b: Uint8Array,
  start: number,
  end: number,
): TcpOptions | ParseFailure {
  const opts: TcpOptions = {};
  let i = start;
  while (i < end) {
    const kind = b[i] as number;
    if (kind === TcpOptionKind.EOL) break;
    if (kind === TcpOptionKind.NOP) {
      i++;
      continue;
    }
    if (i + 1 >= end)
      return fail('bad-option', `option kind ${kind} at ${i - start} has no length`);
    const len = b[i + 1] as number;
    if (len < 2) return fail('bad-option', `option kind ${kind} has length ${len} < 2`);
    if (i + len > end) {
      return fail('bad-option', `option kind ${kind} length ${len} runs past the header`);
    }
    const fixed = FIXED_LENGTH[kind];
    if (fixed !== undefined && len !== fixed) {
      return fail('bad-option', `option kind ${kind} has length ${len}, expected ${fixed}`);
    }
    const d = i + 2;
    switch (kind) {
      case TcpOptionKind.MSS:
        opts.mss = u16(b, d);
        break;
      case TcpOptionKind.WINDOW_SCALE:
        // Values above 14 are used as 14 (RFC 7323 §2.3); that is the engine's job, we keep the raw value.
        opts.windowScale = b[d] as number;
        break;
      case TcpOptionKind.SACK_PERMITTED:
        opts.sackPermitted = true;
        break;
      case TcpOptionKind.SACK: {
        if ((len - 2) % 8 !== 0 || len === 2) {
          return fail('bad-option', `SACK option length ${len} is not 2 + 8n (n ≥ 1)`);
        }
        const blocks: SackBlock[] = [];
        for (let p = d; p < i + len; p += 8) {
          blocks.push({ left: seq(u32(b, p)), right: seq(u32(b, p + 4)) });
        }
        opts.sack = blocks;
        break;
      }
      case TcpOptionKind.TIMESTAMPS:
        opts.timestamps = { tsVal: u32(b, d), tsEcr: u32(b, d + 4) };
        break;
      default:
        (opts.unknown ??= []).push({ kind, data: b.slice(d, i + len) });
    }
    i += len;
  }
  return opts;
}

/** Bytes `emitTcpOptions` writes for `opts` (always a multiple of 4). */
export function tcpOptionsLength(opts: TcpOptions): number {
  // Most segments share the one empty options object (tcp-segment.ts).
  if (opts === NO_OPTIONS) return 0;
  let n = 0;
  if (opts.mss !== undefined) n += 4;
  if (opts.timestamps !== undefined)
    n += 12; // SACK-permitted rides in the 2 bytes before it
  else if (opts.sackPermitted) n += 4;
  if (opts.windowScale !== undefined) n += 4;
  if (opts.sack !== undefined && opts.sack.length > 0) n += 4 + 8 * opts.sack.length;
  if (opts.unknown !== undefined) {
    let u = 0;
    for (const o of opts.unknown) u += 2 + o.data.length;
    n += (u + 3) & ~3;
  }
  return n;
}

function put16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}
function put32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

/**
 * Writes `opts` at `b[offset]` in Linux's order and alignment (tcp_options_write): MSS;
 * SACK-permitted + timestamps (or NOP NOP + timestamps); NOP + window scale; NOP NOP +
 * SACK-permitted when there are no timestamps; NOP NOP + SACK blocks; then unknown options raw,
 * padded with End of Option List bytes. Returns the number of bytes written (a multiple of 4).
 * Throws RangeError if the options exceed 40 bytes — a caller bug, not bad input.
 */
export function emitTcpOptions(opts: TcpOptions, b: Uint8Array, offset: number): number {
  const total = tcpOptionsLength(opts);
  if (total > MAX_OPTIONS_LENGTH) {
    throw new RangeError(`TCP options need ${total} bytes, more than ${MAX_OPTIONS_LENGTH}`);
  }
  if (offset + total > b.length) throw new RangeError('TCP options do not fit in the buffer');
  let o = offset;
  if (opts.mss !== undefined) {
    b[o] = TcpOptionKind.MSS;
    b[o + 1] = 4;
    put16(b, o + 2, opts.mss);
    o += 4;
  }
  if (opts.timestamps !== undefined) {
    if (opts.sackPermitted) {
      b[o] = TcpOptionKind.SACK_PERMITTED;
      b[o + 1] = 2;
    } else {
      b[o] = TcpOptionKind.NOP;
      b[o + 1] = TcpOptionKind.NOP;
    }
    b[o + 2] = TcpOptionKind.TIMESTAMPS;
    b[o + 3] = 10;
    put32(b, o + 4, opts.timestamps.tsVal);
    put32(b, o + 8, opts.timestamps.tsEcr);
    o += 12;
  }
  if (opts.windowScale !== undefined) {
    b[o] = TcpOptionKind.NOP;
    b[o + 1] = TcpOptionKind.WINDOW_SCALE;
    b[o + 2] = 3;
    b[o + 3] = opts.windowScale & 0xff;
    o += 4;
  }
  if (opts.sackPermitted && opts.timestamps === undefined) {
    b[o] = TcpOptionKind.NOP;
    b[o + 1] = TcpOptionKind.NOP;
    b[o + 2] = TcpOptionKind.SACK_PERMITTED;
    b[o + 3] = 2;
    o += 4;
  }
  if (opts.sack !== undefined && opts.sack.length > 0) {
    b[o] = TcpOptionKind.NOP;
    b[o + 1] = TcpOptionKind.NOP;
    b[o + 2] = TcpOptionKind.SACK;
    b[o + 3] = 2 + 8 * opts.sack.length;
    o += 4;
    for (const blk of opts.sack) {
      put32(b, o, blk.left);
      put32(b, o + 4, blk.right);
      o += 8;
    }
  }
  if (opts.unknown !== undefined) {
    for (const u of opts.unknown) {
      if (u.data.length > 38) throw new RangeError(`option kind ${u.kind} data too long`);
      b[o] = u.kind & 0xff;
      b[o + 1] = 2 + u.data.length;
      b.set(u.data, o + 2);
      o += 2 + u.data.length;
    }
    while ((o - offset) & 3) b[o++] = TcpOptionKind.EOL;
  }
  return o - offset;
}
