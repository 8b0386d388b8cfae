/**
 * ICMPv4 (RFC 792) and ICMPv6 (RFC 4443): the messages a TCP stack cares about. Echo request/reply;
 * destination unreachable (RFC 792 type 3, RFC 4443 type 1) with its code; "fragmentation needed and
 * DF set" (type 3 code 4) with the next-hop MTU of RFC 1191 §4; ICMPv6 Packet Too Big (type 2, MTU);
 * time exceeded. For errors, the quoted invoking packet's IP header and first 8 bytes of TCP
 * (ports + sequence number, RFC 792 / RFC 5927 §2) are extracted so a stack can find the connection.
 */
import { seq, type SeqNum } from './seqnum.js';
import { fail, ok, type ParseResult } from './parse-error.js';
import { checksumFinish, checksumPartial, pseudoHeaderSumV6 } from './checksum.js';
import { formatIp } from './address.js';
import { IPPROTO_ICMPV6, IPPROTO_TCP, parseIpv4 } from './ipv4.js';
import { parseIpv6 } from './ipv6.js';

/** What an ICMP error says about the packet that caused it. */
export interface IcmpQuote {
  version: 4 | 6;
  src: string;
  dst: string;
  protocol: number;
  /** Present when the quoted packet is TCP and at least its first 8 bytes were quoted. */
  tcp?: { srcPort: number; dstPort: number; seq: SeqNum };
}

interface IcmpErrorBase {
  /** The quoted invoking packet as received (or to be sent), from its IP header on. */
  quoted: Uint8Array;
  /** Parsed view of `quoted`; undefined if it was not a parseable IP header (ignored by parsers). */
  quote?: IcmpQuote;
}

export type IcmpMessage =
  | { kind: 'echo-request'; id: number; sequence: number; data: Uint8Array }
  | { kind: 'echo-reply'; id: number; sequence: number; data: Uint8Array }
  | ({ kind: 'unreachable'; code: number } & IcmpErrorBase)
  /** IPv4 "fragmentation needed and DF set" (mtu 0 from pre-RFC 1191 routers) or ICMPv6 Packet Too Big. */
  | ({ kind: 'packet-too-big'; mtu: number } & IcmpErrorBase)
  | ({ kind: 'time-exceeded'; code: number } & IcmpErrorBase)
  /** Anything else, kept raw: `rest` is the 4 bytes after the checksum plus the body. */
  | { kind: 'other'; type: number; code: number; rest: Uint8Array };

/** ICMP type numbers per family. */
export const ICMPV4_TYPE = {
  echoReply: 0,
  unreachable: 3,
  echoRequest: 8,
  timeExceeded: 11,
} as const;
export const ICMPV4_FRAG_NEEDED_CODE = 4;
export const ICMPV6_TYPE = {
  unreachable: 1,
  packetTooBig: 2,
  timeExceeded: 3,
  echoRequest: 128,
  echoReply: 129,
} as const;

const ICMP_HEADER = 8;

function u16(b: Uint8Array, o: number): number {
  return ((b[o] as number) << 8) | (b[o + 1] as number);
}

/** Extracts the quoted packet's addresses, protocol, and TCP ports/seq when present. */
export function parseQuote(quoted: Uint8Array): IcmpQuote | undefined {
  const v = quoted.length > 0 ? (quoted[0] as number) >>> 4 : 0;
  let version: 4 | 6;
  let src: Uint8Array;
  let dst: Uint8Array;
  let protocol: number;
  let upper: Uint8Array;
  if (v === 4) {
    const r = parseIpv4(quoted, {
      verifyChecksum: false,
      allowFragments: true,
      allowTruncated: true,
    });
    if (!r.ok) return undefined;
    version = 4;
    ({ src, dst, protocol } = r.value.header);
    // Only the first fragment carries the TCP header.
    upper = r.value.header.fragmentOffset === 0 ? r.value.payload : new Uint8Array(0);
  } else if (v === 6) {
    const r = parseIpv6(quoted, { allowTruncated: true });
    if (!r.ok) return undefined;
    version = 6;
    ({ src, dst } = r.value.header);
    protocol = r.value.protocol;
    upper = r.value.payload;
  } else {
    return undefined;
  }
  const q: IcmpQuote = { version, src: formatIp(src), dst: formatIp(dst), protocol };
  if (protocol === IPPROTO_TCP && upper.length >= 8) {
    q.tcp = {
      srcPort: u16(upper, 0),
      dstPort: u16(upper, 2),
      seq: seq(
        ((upper[4] as number) << 24) |
          ((upper[5] as number) << 16) |
          ((upper[6] as number) << 8) |
          (upper[7] as number),
      ),
    };
  }
  return q;
}

function errorBase(body: Uint8Array): IcmpErrorBase {
  const quoted = body.slice();
  const quote = parseQuote(quoted);
  return quote === undefined ? { quoted } : { quoted, quote };
}

/**
 * Parses an ICMP message (the IP payload). `version` picks the type numbering; for ICMPv6 the
 * checksum covers the pseudo-header (RFC 4443 §2.3), so `src`/`dst` (16 bytes each) are required.
 */
export function parseIcmp(
  b: Uint8Array,
  version: 4 | 6,
  src?: Uint8Array,
  dst?: Uint8Array,
): ParseResult<IcmpMessage> {
  if (b.length < ICMP_HEADER) return fail('truncated', `ICMP needs 8 bytes, have ${b.length}`);
  let sum: number;
  if (version === 6) {
    if (src === undefined || dst === undefined || src.length !== 16 || dst.length !== 16) {
      return fail('bad-address', 'ICMPv6 checksum needs 16-byte source and destination');
    }
    sum = pseudoHeaderSumV6(src, dst, IPPROTO_ICMPV6, b.length);
  } else {
    sum = 0;
  }
  if (checksumFinish(checksumPartial(b, sum)) !== 0) {
    return fail('bad-checksum', `ICMPv${version} checksum does not verify`);
  }
  const type = b[0] as number;
  const code = b[1] as number;
  const body = b.subarray(ICMP_HEADER);
  const echo = (kind: 'echo-request' | 'echo-reply'): IcmpMessage => ({
    kind,
    id: u16(b, 4),
    sequence: u16(b, 6),
    data: body.slice(),
  });
  if (version === 4) {
    switch (type) {
      case ICMPV4_TYPE.echoRequest:
        return ok(echo('echo-request'));
      case ICMPV4_TYPE.echoReply:
        return ok(echo('echo-reply'));
      case ICMPV4_TYPE.unreachable:
        // RFC 1191 §4: next-hop MTU in the low 16 bits of the second word.
        if (code === ICMPV4_FRAG_NEEDED_CODE) {
          return ok({ kind: 'packet-too-big', mtu: u16(b, 6), ...errorBase(body) });
        }
        return ok({ kind: 'unreachable', code, ...errorBase(body) });
      case ICMPV4_TYPE.timeExceeded:
        return ok({ kind: 'time-exceeded', code, ...errorBase(body) });
    }
  } else {
    switch (type) {
      case ICMPV6_TYPE.echoRequest:
        return ok(echo('echo-request'));
      case ICMPV6_TYPE.echoReply:
        return ok(echo('echo-reply'));
      case ICMPV6_TYPE.unreachable:
        return ok({ kind: 'unreachable', code, ...errorBase(body) });
      case ICMPV6_TYPE.packetTooBig: {
        // RFC 4443 §3.2: a 32-bit MTU.
        const mtu = ((u16(b, 4) << 16) | u16(b, 6)) >>> 0;
        return ok({ kind: 'packet-too-big', mtu, ...errorBase(body) });
      }
      case ICMPV6_TYPE.timeExceeded:
        return ok({ kind: 'time-exceeded', code, ...errorBase(body) });
    }
  }
  return ok({ kind: 'other', type, code, rest: b.slice(4) });
}

/** Bytes `emitIcmp` writes for `msg`. */
export function icmpLength(msg: IcmpMessage): number {
  switch (msg.kind) {
    case 'echo-request':
    case 'echo-reply':
      return ICMP_HEADER + msg.data.length;
    case 'other':
      return 4 + msg.rest.length;
    default:
      return ICMP_HEADER + msg.quoted.length;
  }
}

/**
 * Writes `msg` at `b[offset]` with its checksum; for ICMPv6, `src`/`dst` (16 bytes) give the
 * pseudo-header. Returns the bytes written. Throws RangeError for impossible arguments.
 */
export function emitIcmp(
  msg: IcmpMessage,
  version: 4 | 6,
  b: Uint8Array,
  offset = 0,
  src?: Uint8Array,
  dst?: Uint8Array,
): number {
  const len = icmpLength(msg);
  if (offset + len > b.length) throw new RangeError('ICMP message does not fit in the buffer');
  const o = offset;
  const T = version === 4 ? ICMPV4_TYPE : ICMPV6_TYPE;
  let type: number;
  let code = 0;
  let word = 0; // the 4 bytes after the checksum
  let body: Uint8Array;
  switch (msg.kind) {
    case 'echo-request':
    case 'echo-reply':
      type = msg.kind === 'echo-request' ? T.echoRequest : T.echoReply;
      word = (((msg.id & 0xffff) << 16) | (msg.sequence & 0xffff)) >>> 0;
      body = msg.data;
      break;
    case 'unreachable':
      type = T.unreachable;
      code = msg.code;
      body = msg.quoted;
      break;
    case 'packet-too-big':
      if (version === 4) {
        type = ICMPV4_TYPE.unreachable;
        code = ICMPV4_FRAG_NEEDED_CODE;
        word = msg.mtu & 0xffff;
      } else {
        type = ICMPV6_TYPE.packetTooBig;
        word = msg.mtu >>> 0;
      }
      body = msg.quoted;
      break;
    case 'time-exceeded':
      type = T.timeExceeded;
      code = msg.code;
      body = msg.quoted;
      break;
    case 'other':
      type = msg.type;
      code = msg.code;
      body = msg.rest;
      break;
  }
  b[o] = type & 0xff;
  b[o + 1] = code & 0xff;
  b[o + 2] = 0;
  b[o + 3] = 0;
  let bodyAt = o + 4;
  if (msg.kind !== 'other') {
    b[o + 4] = (word >>> 24) & 0xff;
    b[o + 5] = (word >>> 16) & 0xff;
    b[o + 6] = (word >>> 8) & 0xff;
    b[o + 7] = word & 0xff;
    bodyAt = o + 8;
  }
  b.set(body, bodyAt);
  let sum = 0;
  if (version === 6) {
    if (src === undefined || dst === undefined || src.length !== 16 || dst.length !== 16) {
      throw new RangeError('ICMPv6 checksum needs 16-byte source and destination');
    }
    sum = pseudoHeaderSumV6(src, dst, IPPROTO_ICMPV6, len);
  }
  const c = checksumFinish(checksumPartial(b, sum, o, o + len));
  b[o + 2] = c >>> 8;
  b[o + 3] = c & 0xff;
  return len;
}
