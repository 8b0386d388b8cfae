/**
 * Per-packet entry points for the stack: parse a whole IPv4/IPv6 packet down to a TcpSegment or an
 * ICMP message (verifying every checksum), and build TCP/ICMP packets with every checksum filled.
 */
import type { TcpSegment } from './tcp-segment.js';
import { fail, ok, WireError, type ParseResult } from './parse-error.js';
import {
  checksumFinish,
  checksumPartial,
  foldSum,
  pseudoHeaderSumV4,
  pseudoHeaderSumV6,
} from './checksum.js';
import { formatIp, parseIp } from './address.js';
import {
  emitIpv4Header,
  IPPROTO_ICMP,
  IPPROTO_ICMPV6,
  IPPROTO_TCP,
  IPV4_HEADER_MIN,
  checkIpv4Header,
  type Ipv4EmitFields,
} from './ipv4.js';
import { emitIpv6Header, IPV6_HEADER_LENGTH, parseIpv6, type Ipv6EmitFields } from './ipv6.js';
import {
  tcpSegmentAt,
  type ParseFailure,
  writeTcpHeader,
  TCP_CHECKSUM_OFFSET,
  tcpHeaderLength,
} from './tcp-header.js';
import { emitIcmp, icmpLength, parseIcmp, type IcmpMessage } from './icmp.js';
import { slabAllocator } from './slab.js';

export type ParsedPacket = { version: 4 | 6; src: string; dst: string; ttl: number } & (
  | { protocol: 'tcp'; segment: TcpSegment }
  | { protocol: 'icmp'; icmp: IcmpMessage }
  | { protocol: 'other'; number: number }
);

export interface BuildOptions {
  /** IPv4 TTL or IPv6 hop limit (default 64, Linux's default). */
  ttl?: number;
  /** IPv4 identification (default 0). */
  id?: number;
  /** IPv4 TOS / IPv6 traffic class byte, e.g. for ECN (default 0). */
  tos?: number;
  /**
   * Tx checksum offload (Linux CHECKSUM_PARTIAL): leave the folded pseudo-header sum, NOT
   * complemented, in the TCP checksum field for the link to complete (src/stack/link-offload.ts).
   */
  partialChecksum?: boolean;
  /**
   * With `partialChecksum`: only the IP and TCP headers (lengths and pseudo-header sum counting the
   * payload), for a link that sends the payload from where it is (scatter-gather).
   */
  headersOnly?: boolean;
}

export interface PacketParseOptions {
  /** The link vouches for the TCP checksum (CHECKSUM_UNNECESSARY): skip verifying it. */
  tcpChecksumValid?: boolean;
}

// Address caches: a stack sends and receives on a handful of addresses, so converting the same
// strings every packet is waste. Bounded: cleared when full (cheap, and a full cache means the
// workload is not the common one anyway).
const NO_BYTES = new Uint8Array(0);
const CACHE_LIMIT = 256;
const textToBytes = new Map<string, Uint8Array>();
const v4ToText = new Map<number, string>();

/** Parsed bytes of an address string, cached. The returned array is shared: do not modify it. */
export function addressBytes(s: string): Uint8Array | undefined {
  let b = textToBytes.get(s);
  if (b === undefined) {
    b = parseIp(s);
    if (b === undefined) return undefined;
    if (textToBytes.size >= CACHE_LIMIT) textToBytes.clear();
    textToBytes.set(s, b);
  }
  return b;
}

/** parsePacket's IPv4 checks: the defaults (one object, not one per packet). */
const DEFAULT_V4 = Object.freeze({});

/** ipv4TextAt's two most recent answers (an object's fields: cheaper to reach than module lets). */
const recent = { key0: 0, text0: '0.0.0.0', key1: 0, text1: '0.0.0.0' };

/** Text of the IPv4 address in b[at, at+4), cached (no view or string per packet). */
export function ipv4TextAt(b: Uint8Array, at: number): string {
  // The last two addresses (a packet's two ends, every packet of a conversation) are answered
  // without a map lookup.
  const key =
    ((b[at] as number) << 24) |
    ((b[at + 1] as number) << 16) |
    ((b[at + 2] as number) << 8) |
    (b[at + 3] as number);
  const r = recent;
  if (key === r.key0) return r.text0;
  if (key === r.key1) return r.text1;
  let s = v4ToText.get(key);
  if (s === undefined) {
    s = formatIp(b.subarray(at, at + 4));
    if (v4ToText.size >= CACHE_LIMIT) v4ToText.clear();
    v4ToText.set(key, s);
  }
  r.key1 = r.key0;
  r.text1 = r.text0;
  r.key0 = key;
  r.text0 = s;
  return s;
}

/**
 * What readPacket found, written into an object its caller keeps and reuses: the fields of a
 * ParsedPacket. `segment` is set for 'tcp' and `icmp` for 'icmp' (each undefined otherwise);
 * `number` is the IP protocol number. A caller done with them may clear them, so that the object
 * does not keep the packet's bytes alive.
 */
export class PacketFields {
  version: 4 | 6 = 4;
  src = '';
  dst = '';
  ttl = 0;
  protocol: 'tcp' | 'icmp' | 'other' = 'other';
  number = 0;
  segment: TcpSegment | undefined = undefined;
  icmp: IcmpMessage | undefined = undefined;
}

/** parsePacket's answer before it is wrapped (one object, read at once: parsing does not nest). */
const parsed = new PacketFields();

/**
 * Parses one IP packet. Checks, in order: IP header (version, lengths, IPv4 header checksum,
 * fragments), then for TCP the checksum over the pseudo-header (RFC 9293 §3.1) and the TCP header,
 * for ICMP its checksum and fields. Other protocols come back as 'other' with their number.
 */
export function parsePacket(
  bytes: Uint8Array,
  opts?: PacketParseOptions,
): ParseResult<ParsedPacket> {
  const p = parsed;
  const bad = readPacket(bytes, opts, p);
  if (bad !== undefined) return bad;
  const { version, src, dst, ttl, segment, icmp } = p;
  // Not kept here: the packet is its caller's, not pinned until the next parse.
  p.segment = undefined;
  p.icmp = undefined;
  if (segment !== undefined) {
    return ok({ version, src, dst, ttl, protocol: 'tcp', segment });
  }
  if (icmp !== undefined) {
    return ok({ version, src, dst, ttl, protocol: 'icmp', icmp });
  }
  return ok({ version, src, dst, ttl, protocol: 'other', number: p.number });
}

/**
 * parsePacket's checks and answer without its wrappers, for a caller that reads the fields at once
 * (the stack's per-packet path): the failure, or undefined with the packet's fields in `out`.
 */
export function readPacket(
  bytes: Uint8Array,
  opts: PacketParseOptions | undefined,
  out: PacketFields,
): ParseFailure | undefined {
  if (bytes.length === 0) return fail('truncated', 'empty packet');
  const v = (bytes[0] as number) >>> 4;
  let version: 4 | 6;
  let srcB: Uint8Array | undefined;
  let dstB: Uint8Array | undefined;
  let src: string;
  let dst: string;
  let ttl: number;
  let proto: number;
  // The IP payload is data[start, end): a view is made only when something needs one.
  let data: Uint8Array;
  let start: number;
  let end: number;
  if (v === 4) {
    // The fields read straight from the bytes: no header object, no address copies per packet.
    const bad = checkIpv4Header(bytes, DEFAULT_V4);
    if (bad) return bad;
    version = 4;
    data = bytes;
    start = ((bytes[0] as number) & 0x0f) * 4;
    // checkIpv4Header: total length ≤ bytes.length; link padding after it is ignored.
    end = ((bytes[2] as number) << 8) | (bytes[3] as number);
    ttl = bytes[8] as number;
    proto = bytes[9] as number;
    src = ipv4TextAt(bytes, 12);
    dst = ipv4TextAt(bytes, 16);
  } else if (v === 6) {
    const r = parseIpv6(bytes);
    if (!r.ok) return r;
    version = 6;
    ({ src: srcB, dst: dstB, hopLimit: ttl } = r.value.header);
    proto = r.value.protocol;
    data = r.value.payload;
    start = 0;
    end = data.length;
    src = formatIp(srcB);
    dst = formatIp(dstB);
  } else {
    return fail('bad-version', `IP version ${v}`);
  }
  if (proto === IPPROTO_TCP) {
    // Check the header shape first so a truncated segment is reported as such, not as a checksum.
    const seg = tcpSegmentAt(data, start, end);
    if (!('srcPort' in seg)) return seg;
    if (opts?.tcpChecksumValid !== true) {
      const ph =
        srcB === undefined || dstB === undefined
          ? // RFC 9293 §3.1's IPv4 pseudo-header, its addresses read in place (bytes 12..19).
            pseudoHeaderSumV4(bytes, bytes, IPPROTO_TCP, end - start, 12, 16)
          : pseudoHeaderSumV6(srcB, dstB, IPPROTO_TCP, end - start);
      if (checksumFinish(checksumPartial(data, ph, start, end)) !== 0) {
        return fail('bad-checksum', `TCP checksum does not verify (${src} → ${dst})`);
      }
    }
    out.protocol = 'tcp';
    out.segment = seg;
    out.icmp = undefined;
  } else if (
    (version === 4 && proto === IPPROTO_ICMP) ||
    (version === 6 && proto === IPPROTO_ICMPV6)
  ) {
    const m = parseIcmp(
      start === 0 && end === data.length ? data : data.subarray(start, end),
      version,
      srcB ?? bytes.subarray(12, 16),
      dstB ?? bytes.subarray(16, 20),
    );
    if (!m.ok) return m;
    out.protocol = 'icmp';
    out.segment = undefined;
    out.icmp = m.value;
  } else {
    out.protocol = 'other';
    out.segment = undefined;
    out.icmp = undefined;
  }
  out.version = version;
  out.src = src;
  out.dst = dst;
  out.ttl = ttl;
  out.number = proto;
  return undefined;
}

/** addressPair's answer: one pair, overwritten by the next call (callers read it at once). */
const pairOut: [Uint8Array, Uint8Array] = [new Uint8Array(0), new Uint8Array(0)];

/**
 * addressPair's last two pairs: a conversation's two directions are every packet built, and
 * comparing the strings (the same string objects, packet after packet) is cheaper than two map
 * lookups. Slot 0 is the most recent.
 */
const recentPairs: {
  src0: string;
  dst0: string;
  s0: Uint8Array;
  d0: Uint8Array;
  src1: string;
  dst1: string;
  s1: Uint8Array;
  d1: Uint8Array;
} = {
  src0: '',
  dst0: '',
  s0: NO_BYTES,
  d0: NO_BYTES,
  src1: '',
  dst1: '',
  s1: NO_BYTES,
  d1: NO_BYTES,
};

function addressPair(src: string, dst: string): readonly [Uint8Array, Uint8Array] {
  const r = recentPairs;
  if (src === r.src0 && dst === r.dst0) {
    pairOut[0] = r.s0;
    pairOut[1] = r.d0;
    return pairOut;
  }
  if (src === r.src1 && dst === r.dst1) {
    pairOut[0] = r.s1;
    pairOut[1] = r.d1;
  } else {
    lookUpPair(src, dst);
  }
  r.src1 = r.src0;
  r.dst1 = r.dst0;
  r.s1 = r.s0;
  r.d1 = r.d0;
  r.src0 = src;
  r.dst0 = dst;
  r.s0 = pairOut[0];
  r.d0 = pairOut[1];
  return pairOut;
}

/** The bytes of both addresses into pairOut, or WireError for a bad address or mixed families. */
function lookUpPair(src: string, dst: string): void {
  const s = addressBytes(src);
  const d = addressBytes(dst);
  if (s === undefined)
    throw new WireError('bad-address', `not an IP address: ${JSON.stringify(src)}`);
  if (d === undefined)
    throw new WireError('bad-address', `not an IP address: ${JSON.stringify(dst)}`);
  if (s.length !== d.length)
    throw new WireError('bad-address', `mixed address families: ${src} → ${dst}`);
  pairOut[0] = s;
  pairOut[1] = d;
}

/**
 * Zero-filled memory for one packet. Small packets (ACKs, MTU-1500 segments) are carved from a
 * shared slab (slab.ts): an ArrayBuffer of its own costs a small packet more than building it does
 * (a quarter of the send path at MTU 1500). Larger packets get their own buffer, so that a
 * receiver keeping a payload as a view (see ReceiveBuffer) pins just that packet.
 */
const SLAB_SIZE = 64 * 1024;
const SLAB_MAX_PACKET = 4096;
const newPacket = slabAllocator(SLAB_SIZE, SLAB_MAX_PACKET);

/**
 * buildTcpPacket's IP header fields: one object each, refilled per packet (the emitters read them
 * at once and keep nothing), rather than a fields object per packet.
 */
const tcpV4Fields: Ipv4EmitFields = {
  src: NO_BYTES,
  dst: NO_BYTES,
  protocol: IPPROTO_TCP,
  payloadLength: 0,
  ttl: undefined,
  id: undefined,
  tos: undefined,
};
const tcpV6Fields: Ipv6EmitFields = {
  src: NO_BYTES,
  dst: NO_BYTES,
  nextHeader: IPPROTO_TCP,
  payloadLength: 0,
  hopLimit: undefined,
  trafficClass: undefined,
};

/**
 * A complete IPv4 or IPv6 packet (by the address family) carrying `seg`, with the IP header
 * checksum (IPv4) and the TCP checksum filled. Throws WireError for bad addresses. Small packets
 * are views into a shared slab (see newPacket): use byteOffset and length, not `.buffer` alone.
 */
export function buildTcpPacket(
  src: string,
  dst: string,
  seg: TcpSegment,
  opts: BuildOptions = {},
): Uint8Array {
  const [s, d] = addressPair(src, dst);
  const hlen = tcpHeaderLength(seg.options);
  const plen = seg.payload.length;
  const tcpLen = hlen + plen;
  const v4 = s.length === 4;
  const ipLen = v4 ? IPV4_HEADER_MIN : IPV6_HEADER_LENGTH;
  const headersOnly = opts.headersOnly === true && opts.partialChecksum === true;
  const b = newPacket(ipLen + (headersOnly ? hlen : tcpLen));
  if (v4) {
    const f = tcpV4Fields;
    f.src = s;
    f.dst = d;
    f.payloadLength = tcpLen;
    f.ttl = opts.ttl;
    f.id = opts.id;
    f.tos = opts.tos;
    emitIpv4Header(f, b);
  } else {
    const f = tcpV6Fields;
    f.src = s;
    f.dst = d;
    f.payloadLength = tcpLen;
    f.hopLimit = opts.ttl;
    f.trafficClass = opts.tos;
    emitIpv6Header(f, b);
  }
  writeTcpHeader(seg, b, ipLen, hlen);
  if (!headersOnly && plen > 0) b.set(seg.payload, ipLen + hlen);
  const ph = v4
    ? pseudoHeaderSumV4(s, d, IPPROTO_TCP, tcpLen)
    : pseudoHeaderSumV6(s, d, IPPROTO_TCP, tcpLen);
  // CHECKSUM_PARTIAL leaves the pseudo-header sum for the link: summing the segment with it in
  // the field gives the whole sum (RFC 1071), which the link complements into place.
  const c = opts.partialChecksum
    ? foldSum(ph)
    : checksumFinish(checksumPartial(b, ph, ipLen, ipLen + tcpLen));
  b[ipLen + TCP_CHECKSUM_OFFSET] = c >>> 8;
  b[ipLen + TCP_CHECKSUM_OFFSET + 1] = c & 0xff;
  return b;
}

/** A complete ICMPv4 or ICMPv6 packet (by the address family), checksums filled. */
export function buildIcmpPacket(
  src: string,
  dst: string,
  msg: IcmpMessage,
  opts: BuildOptions = {},
): Uint8Array {
  const [s, d] = addressPair(src, dst);
  const len = icmpLength(msg);
  const v4 = s.length === 4;
  const ipLen = v4 ? IPV4_HEADER_MIN : IPV6_HEADER_LENGTH;
  const b = new Uint8Array(ipLen + len);
  if (v4) {
    emitIpv4Header(
      {
        src: s,
        dst: d,
        protocol: IPPROTO_ICMP,
        payloadLength: len,
        ttl: opts.ttl,
        id: opts.id,
        tos: opts.tos,
        dontFragment: false,
      },
      b,
    );
    emitIcmp(msg, 4, b, ipLen);
  } else {
    emitIpv6Header(
      {
        src: s,
        dst: d,
        nextHeader: IPPROTO_ICMPV6,
        payloadLength: len,
        hopLimit: opts.ttl,
        trafficClass: opts.tos,
      },
      b,
    );
    emitIcmp(msg, 6, b, ipLen, s, d);
  }
  return b;
}

/** ARCHITECTURE.md's names for the same entry points. */
export const parseIpPacket = parsePacket;
export const buildIpPacket = buildTcpPacket;
