/**
 * The IPv6 fixed header (RFC 8200 §3) and the walk over extension headers (RFC 8200 §4) to the
 * upper-layer protocol. Hop-by-Hop (0), Routing (43) and Destination Options (60) share the
 * "next header, length in 8-octet units not counting the first 8" layout (§4.3-4.6) and are skipped.
 * A Fragment header (44) gives 'fragment': synack does not reassemble.
 */
import { fail, ok, type ParseResult } from './parse-error.js';

export const IPV6_HEADER_LENGTH = 40;
const EXT_HOP_BY_HOP = 0;
const EXT_ROUTING = 43;
const EXT_FRAGMENT = 44;
const EXT_DEST_OPTS = 60;
/** Bound on extension headers walked: a packet can chain many, we refuse silly chains. */
const MAX_EXTENSION_HEADERS = 8;

export interface Ipv6Header {
  trafficClass: number;
  flowLabel: number;
  payloadLength: number;
  /** The fixed header's Next Header field (may be an extension header). */
  nextHeader: number;
  hopLimit: number;
  src: Uint8Array;
  dst: Uint8Array;
}

export interface Ipv6Parsed {
  header: Ipv6Header;
  /** The upper-layer protocol after any skipped extension headers. */
  protocol: number;
  /** Upper-layer bytes (a view, no copy). */
  payload: Uint8Array;
}

export interface Ipv6ParseOptions {
  /** Accept a buffer shorter than the payload length (for a packet quoted in ICMPv6). */
  allowTruncated?: boolean;
}

/**
 * Parses an IPv6 packet. A buffer shorter than 40 + payload length is 'truncated'; trailing bytes
 * beyond it are ignored. Payload length 0 with a Jumbo Payload option (RFC 2675) is not supported
 * and gives 'bad-total-length'. The addresses and payload are views into `b` (no copy).
 */
export function parseIpv6(b: Uint8Array, opts: Ipv6ParseOptions = {}): ParseResult<Ipv6Parsed> {
  if (b.length < IPV6_HEADER_LENGTH) {
    return fail('truncated', `IPv6 header needs 40 bytes, have ${b.length}`);
  }
  const v0 = b[0] as number;
  if (v0 >>> 4 !== 6) return fail('bad-version', `IP version ${v0 >>> 4}, expected 6`);
  const payloadLength = ((b[4] as number) << 8) | (b[5] as number);
  const end = IPV6_HEADER_LENGTH + payloadLength;
  if (end > b.length && !opts.allowTruncated) {
    return fail('truncated', `payload length ${payloadLength} > ${b.length - 40} bytes received`);
  }
  const limit = Math.min(end, b.length);
  const header: Ipv6Header = {
    trafficClass: ((v0 & 0x0f) << 4) | ((b[1] as number) >>> 4),
    flowLabel: (((b[1] as number) & 0x0f) << 16) | ((b[2] as number) << 8) | (b[3] as number),
    payloadLength,
    nextHeader: b[6] as number,
    hopLimit: b[7] as number,
    src: b.subarray(8, 24),
    dst: b.subarray(24, 40),
  };
  if (payloadLength === 0 && header.nextHeader === EXT_HOP_BY_HOP) {
    return fail('bad-total-length', 'jumbogram (payload length 0) not supported');
  }
  let next = header.nextHeader;
  let off = IPV6_HEADER_LENGTH;
  for (let n = 0; ; n++) {
    if (next === EXT_FRAGMENT) return fail('fragment', 'IPv6 Fragment header');
    if (next !== EXT_HOP_BY_HOP && next !== EXT_ROUTING && next !== EXT_DEST_OPTS) break;
    if (n >= MAX_EXTENSION_HEADERS) {
      return fail('bad-header-length', `more than ${MAX_EXTENSION_HEADERS} extension headers`);
    }
    if (off + 2 > limit) return fail('truncated', `extension header ${next} cut short`);
    const len = ((b[off + 1] as number) + 1) * 8;
    if (off + len > limit) {
      return fail(
        'bad-header-length',
        `extension header ${next} (${len} bytes) runs past the packet`,
      );
    }
    next = b[off] as number;
    off += len;
  }
  return ok({ header, protocol: next, payload: b.subarray(off, limit) });
}

export interface Ipv6EmitFields {
  src: Uint8Array;
  dst: Uint8Array;
  nextHeader: number;
  payloadLength: number;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
}

/** Writes the 40-byte fixed header at `b[offset]` (no extension headers). Returns 40. */
export function emitIpv6Header(f: Ipv6EmitFields, b: Uint8Array, offset = 0): number {
  if (f.payloadLength > 0xffff)
    throw new RangeError(`IPv6 payload length ${f.payloadLength} > 65535`);
  const o = offset;
  const tc = (f.trafficClass ?? 0) & 0xff;
  const fl = (f.flowLabel ?? 0) & 0xfffff;
  b[o] = 0x60 | (tc >>> 4);
  b[o + 1] = ((tc & 0x0f) << 4) | (fl >>> 16);
  b[o + 2] = (fl >>> 8) & 0xff;
  b[o + 3] = fl & 0xff;
  b[o + 4] = f.payloadLength >>> 8;
  b[o + 5] = f.payloadLength & 0xff;
  b[o + 6] = f.nextHeader & 0xff;
  b[o + 7] = (f.hopLimit ?? 64) & 0xff;
  b.set(f.src, o + 8);
  b.set(f.dst, o + 24);
  return IPV6_HEADER_LENGTH;
}
