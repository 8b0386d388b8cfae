/**
 * The IPv4 header (RFC 791 §3.1). We parse what a TCP endpoint needs and refuse fragments: synack
 * does not reassemble (a TCP endpoint using PMTU discovery sets DF and should rarely see them).
 */
import { fail, ok, type ParseErrorReason, type ParseResult } from './parse-error.js';
import { checksumFinish, checksumPartial } from './checksum.js';

export const IPV4_HEADER_MIN = 20;
export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;

export interface Ipv4Header {
  /** Header length in bytes (IHL × 4). */
  headerLength: number;
  /** Type of service byte: DSCP (6 bits) and ECN (2 bits, RFC 3168). */
  tos: number;
  totalLength: number;
  id: number;
  dontFragment: boolean;
  moreFragments: boolean;
  /** Fragment offset in 8-byte units. */
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  checksum: number;
  src: Uint8Array;
  dst: Uint8Array;
  /** Raw IP options (usually empty). */
  options: Uint8Array;
}

export interface Ipv4Parsed {
  header: Ipv4Header;
  /** The bytes after the header up to total length (a view, no copy). */
  payload: Uint8Array;
}

export interface Ipv4ParseOptions {
  /** Verify the header checksum (default true). */
  verifyChecksum?: boolean;
  /** Allow fragments instead of failing with 'fragment' (default false). */
  allowFragments?: boolean;
  /**
   * Accept a buffer shorter than total length (default false); used for the packet an ICMP error
   * quotes, which RFC 792 cuts after the header + 8 bytes.
   */
  allowTruncated?: boolean;
}

/**
 * The one's complement sum of the header's words, checksum field included. The usual 20-byte header
 * (no options: every packet here) is ten words added straight; longer ones go through the loop.
 */
function headerSum(b: Uint8Array, hlen: number): number {
  if (hlen !== IPV4_HEADER_MIN) return checksumPartial(b, 0, 0, hlen);
  return (
    (((b[0] as number) << 8) | (b[1] as number)) +
    (((b[2] as number) << 8) | (b[3] as number)) +
    (((b[4] as number) << 8) | (b[5] as number)) +
    (((b[6] as number) << 8) | (b[7] as number)) +
    (((b[8] as number) << 8) | (b[9] as number)) +
    (((b[10] as number) << 8) | (b[11] as number)) +
    (((b[12] as number) << 8) | (b[13] as number)) +
    (((b[14] as number) << 8) | (b[15] as number)) +
    (((b[16] as number) << 8) | (b[17] as number)) +
    (((b[18] as number) << 8) | (b[19] as number))
  );
}

/**
 * parseIpv4's checks, in its order, without building the header (the stack's per-packet path reads
 * the few fields it needs straight from the bytes): the failure, or undefined for a good header.
 * Fragments are refused here too unless `allowFragments`.
 */
export function checkIpv4Header(
  b: Uint8Array,
  opts: Ipv4ParseOptions = {},
): { ok: false; reason: ParseErrorReason; detail: string } | undefined {
  if (b.length < IPV4_HEADER_MIN) {
    return fail('truncated', `IPv4 header needs 20 bytes, have ${b.length}`);
  }
  const v0 = b[0] as number;
  if (v0 >>> 4 !== 4) return fail('bad-version', `IP version ${v0 >>> 4}, expected 4`);
  const ihl = v0 & 0x0f;
  if (ihl < 5) return fail('bad-header-length', `IHL ${ihl} < 5`);
  const hlen = ihl * 4;
  if (hlen > b.length) return fail('truncated', `IHL ${ihl} (${hlen} bytes) beyond ${b.length}`);
  const totalLength = ((b[2] as number) << 8) | (b[3] as number);
  if (totalLength < hlen) {
    return fail('bad-total-length', `total length ${totalLength} < header length ${hlen}`);
  }
  if (totalLength > b.length && !opts.allowTruncated) {
    return fail('truncated', `total length ${totalLength} > ${b.length} bytes received`);
  }
  // A correct header sums to 0xffff including its checksum field (RFC 791 §3.1 "Header Checksum").
  if (opts.verifyChecksum !== false && checksumFinish(headerSum(b, hlen)) !== 0) {
    return fail('bad-checksum', 'IPv4 header checksum does not verify');
  }
  const ff = ((b[6] as number) << 8) | (b[7] as number);
  if (!opts.allowFragments && ((ff & 0x2000) !== 0 || (ff & 0x1fff) !== 0)) {
    return fail(
      'fragment',
      `IPv4 fragment (offset ${(ff & 0x1fff) * 8}, MF ${(ff & 0x2000) !== 0})`,
    );
  }
  return undefined;
}

/**
 * Parses an IPv4 packet. A buffer shorter than total length is 'truncated'; a longer one has
 * trailing bytes (link padding, e.g. Ethernet's 60-byte minimum frame) ignored. The addresses,
 * options and payload are views into `b` (no copy).
 */
export function parseIpv4(b: Uint8Array, opts: Ipv4ParseOptions = {}): ParseResult<Ipv4Parsed> {
  const bad = checkIpv4Header(b, opts);
  if (bad) return bad;
  const hlen = ((b[0] as number) & 0x0f) * 4;
  const totalLength = ((b[2] as number) << 8) | (b[3] as number);
  const ff = ((b[6] as number) << 8) | (b[7] as number);
  const header: Ipv4Header = {
    headerLength: hlen,
    tos: b[1] as number,
    totalLength,
    id: ((b[4] as number) << 8) | (b[5] as number),
    dontFragment: (ff & 0x4000) !== 0,
    moreFragments: (ff & 0x2000) !== 0,
    fragmentOffset: ff & 0x1fff,
    ttl: b[8] as number,
    protocol: b[9] as number,
    checksum: ((b[10] as number) << 8) | (b[11] as number),
    src: b.subarray(12, 16),
    dst: b.subarray(16, 20),
    options: b.subarray(20, hlen),
  };
  return ok({ header, payload: b.subarray(hlen, Math.min(totalLength, b.length)) });
}

export interface Ipv4EmitFields {
  src: Uint8Array;
  dst: Uint8Array;
  protocol: number;
  /** Bytes after the header. */
  payloadLength: number;
  ttl?: number;
  id?: number;
  tos?: number;
  /** Default true: TCP uses path MTU discovery (RFC 1191), so its packets carry DF. */
  dontFragment?: boolean;
}

/**
 * Writes a 20-byte IPv4 header (no options) with its checksum at `b[offset]`. Returns 20.
 */
export function emitIpv4Header(f: Ipv4EmitFields, b: Uint8Array, offset = 0): number {
  const o = offset;
  const total = IPV4_HEADER_MIN + f.payloadLength;
  if (total > 0xffff) throw new RangeError(`IPv4 total length ${total} > 65535`);
  const id = (f.id ?? 0) & 0xffff;
  const tos = (f.tos ?? 0) & 0xff;
  const df = f.dontFragment === false ? 0 : 0x40;
  const ttl = (f.ttl ?? 64) & 0xff;
  const protocol = f.protocol & 0xff;
  const s = f.src;
  const d = f.dst;
  const s0 = s[0] as number;
  const s1 = s[1] as number;
  const s2 = s[2] as number;
  const s3 = s[3] as number;
  const d0 = d[0] as number;
  const d1 = d[1] as number;
  const d2 = d[2] as number;
  const d3 = d[3] as number;
  b[o] = 0x45;
  b[o + 1] = tos;
  b[o + 2] = total >>> 8;
  b[o + 3] = total & 0xff;
  b[o + 4] = id >>> 8;
  b[o + 5] = id & 0xff;
  b[o + 6] = df;
  b[o + 7] = 0;
  b[o + 8] = ttl;
  b[o + 9] = protocol;
  b[o + 12] = s0;
  b[o + 13] = s1;
  b[o + 14] = s2;
  b[o + 15] = s3;
  b[o + 16] = d0;
  b[o + 17] = d1;
  b[o + 18] = d2;
  b[o + 19] = d3;
  // RFC 791 §3.1's header checksum over the ten words just written (the checksum word as zero),
  // summed from the values rather than read back from the bytes (RFC 1071 §2: any order).
  const c = checksumFinish(
    (0x4500 | tos) +
      total +
      id +
      (df << 8) +
      ((ttl << 8) | protocol) +
      ((s0 << 8) | s1) +
      ((s2 << 8) | s3) +
      ((d0 << 8) | d1) +
      ((d2 << 8) | d3),
  );
  b[o + 10] = c >>> 8;
  b[o + 11] = c & 0xff;
  return IPV4_HEADER_MIN;
}
