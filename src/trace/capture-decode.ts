/**
 * Decodes a captured frame down to its TCP segment: link layer (Ethernet with VLAN tags, Linux
 * "cooked" SLL and SLL2, BSD loopback, raw IP), then IPv4 (RFC 791 §3.1) or IPv6 (RFC 8200 §3-4,
 * skipping extension headers), then TCP via wire/tcp-header.ts. Captures are taken as they are:
 * checksums are not verified (offloading leaves them unset on the sending host) and an IPv4 total
 * length of 0 (TCP segmentation offload) means "the rest of the frame". Anything that is not a
 * first fragment carrying TCP is skipped with a reason, never thrown.
 */
import { formatIp } from '../wire/address.js';
import { parseTcp } from '../wire/tcp-header.js';
import type { TcpSegment } from '../wire/tcp-segment.js';
import { LinkType } from './pcap-writer.js';

export type DecodeResult =
  | {
      ok: true;
      src: string;
      dst: string;
      segment: TcpSegment;
      /** real payload length */ payloadLen: number;
    }
  | { ok: false; reason: string };

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;

function u16(b: Uint8Array, o: number): number {
  return ((b[o] as number) << 8) | (b[o + 1] as number);
}

/** Finds the IP packet inside a frame of the given link type. */
export function ipPayloadOf(linkType: number, frame: Uint8Array): Uint8Array | string {
  switch (linkType) {
    case LinkType.RAW:
    case LinkType.RAW_12:
    case LinkType.RAW_14:
    case LinkType.IPV4:
    case LinkType.IPV6:
      return frame;
    case LinkType.ETHERNET: {
      let o = 12;
      if (frame.length < 14) return 'truncated ethernet header';
      let type = u16(frame, o);
      // 802.1Q / 802.1ad VLAN tags: 4 bytes each.
      for (let i = 0; i < 4 && (type === 0x8100 || type === 0x88a8 || type === 0x9100); i++) {
        o += 4;
        if (frame.length < o + 2) return 'truncated VLAN tag';
        type = u16(frame, o);
      }
      if (type !== ETH_IPV4 && type !== ETH_IPV6) return `ethertype 0x${type.toString(16)}`;
      return frame.subarray(o + 2);
    }
    case LinkType.LINUX_SLL: {
      if (frame.length < 16) return 'truncated SLL header';
      const proto = u16(frame, 14);
      if (proto !== ETH_IPV4 && proto !== ETH_IPV6) return `SLL protocol 0x${proto.toString(16)}`;
      return frame.subarray(16);
    }
    case LinkType.LINUX_SLL2: {
      if (frame.length < 20) return 'truncated SLL2 header';
      const proto = u16(frame, 0);
      if (proto !== ETH_IPV4 && proto !== ETH_IPV6) return `SLL2 protocol 0x${proto.toString(16)}`;
      return frame.subarray(20);
    }
    case LinkType.NULL: {
      // BSD loopback: a 4-byte address family in the capturing host's byte order.
      if (frame.length < 4) return 'truncated loopback header';
      return frame.subarray(4);
    }
    default:
      return `unsupported link type ${linkType}`;
  }
}

/** Decodes one frame to its TCP segment (or a reason it has none). */
export function decodeFrame(
  linkType: number,
  frame: Uint8Array,
  origLen = frame.length,
): DecodeResult {
  const ip = ipPayloadOf(linkType, frame);
  if (typeof ip === 'string') return { ok: false, reason: ip };
  const missing = Math.max(0, origLen - frame.length);
  if (ip.length < 1) return { ok: false, reason: 'empty IP packet' };
  const version = (ip[0] as number) >>> 4;
  let src: string;
  let dst: string;
  let tcp: Uint8Array;
  let ipPayloadLen: number;
  if (version === 4) {
    if (ip.length < 20) return { ok: false, reason: 'truncated IPv4 header' };
    const ihl = ((ip[0] as number) & 0x0f) * 4;
    if (ihl < 20 || ip.length < ihl) return { ok: false, reason: 'bad IPv4 header length' };
    if (ip[9] !== 6) return { ok: false, reason: `IP protocol ${ip[9]}` };
    if ((u16(ip, 6) & 0x1fff) !== 0) return { ok: false, reason: 'IPv4 fragment' };
    const total = u16(ip, 2);
    // Total length 0 is what TSO leaves in captures on the sending host: take the frame.
    const realTotal = total === 0 ? ip.length + missing : total;
    src = formatIp(ip.subarray(12, 16));
    dst = formatIp(ip.subarray(16, 20));
    tcp = ip.subarray(ihl, Math.min(ip.length, realTotal));
    ipPayloadLen = realTotal - ihl;
  } else if (version === 6) {
    if (ip.length < 40) return { ok: false, reason: 'truncated IPv6 header' };
    let next = ip[6] as number;
    let o = 40;
    // Extension headers (RFC 8200 §4): hop-by-hop 0, routing 43, fragment 44, destination 60.
    for (let i = 0; i < 8 && next !== 6; i++) {
      if (next === 0 || next === 43 || next === 60) {
        if (ip.length < o + 2) return { ok: false, reason: 'truncated IPv6 extension header' };
        const n = ip[o] as number;
        o += ((ip[o + 1] as number) + 1) * 8;
        next = n;
      } else if (next === 44) {
        if (ip.length < o + 8) return { ok: false, reason: 'truncated IPv6 fragment header' };
        if ((u16(ip, o + 2) & 0xfff8) !== 0) return { ok: false, reason: 'IPv6 fragment' };
        next = ip[o] as number;
        o += 8;
      } else break;
    }
    if (next !== 6) return { ok: false, reason: `IPv6 next header ${next}` };
    const plen = u16(ip, 4);
    const realEnd = plen === 0 ? ip.length + missing : 40 + plen;
    src = formatIp(ip.subarray(8, 24));
    dst = formatIp(ip.subarray(24, 40));
    if (o > ip.length) return { ok: false, reason: 'truncated IPv6 extension header' };
    tcp = ip.subarray(o, Math.min(ip.length, realEnd));
    ipPayloadLen = realEnd - o;
  } else {
    return { ok: false, reason: `IP version ${version}` };
  }
  const parsed = parseTcp(tcp);
  if (!parsed.ok) return { ok: false, reason: `TCP ${parsed.reason}: ${parsed.detail}` };
  const seg = parsed.value;
  const hlen = ((tcp[12] as number) >>> 4) * 4;
  const payloadLen = Math.max(0, ipPayloadLen - hlen);
  if (seg.payload.length < payloadLen) {
    // The snaplen cut the payload: keep its length (what the ladder shows), bytes unknown (zeros).
    const full = new Uint8Array(Math.min(payloadLen, 1 << 24));
    full.set(seg.payload);
    seg.payload = full;
  }
  return { ok: true, src, dst, segment: seg, payloadLen };
}
