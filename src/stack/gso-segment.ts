/**
 * Software halves of the link offloads (link-offload.ts), for a link or a stack that cannot leave
 * the work undone: completing a CHECKSUM_PARTIAL checksum (Linux skb_checksum_help) and cutting a
 * GSO packet into MSS-sized packets, each with a full checksum (Linux skb_gso_segment →
 * tcp_gso_segment), as Linux does in validate_xmit_skb before a device without the offload.
 */
import { checksumFinish, checksumPartial, pseudoHeaderSum } from '../wire/checksum.js';
import { IPPROTO_TCP } from '../wire/ipv4.js';
import { seq, seqAdd } from '../wire/seqnum.js';
import { TcpFlag } from '../wire/tcp-segment.js';
import { TCP_CSUM_OFFSET, type TxMeta } from './link-offload.js';

/**
 * Completes a CHECKSUM_PARTIAL packet in place: the field holds the pseudo-header sum, so the sum
 * over [csumStart, end) including it is the whole sum (RFC 1071), complemented into the field.
 */
export function completeChecksum(packet: Uint8Array, meta: TxMeta): void {
  const at = meta.csumStart + meta.csumOffset;
  const c = checksumFinish(checksumPartial(packet, 0, meta.csumStart, packet.length));
  packet[at] = c >>> 8;
  packet[at + 1] = c & 0xff;
}

/** Writes the full TCP checksum of the TCP/IP packet `b` (IP header length `ipLen`). */
function fillTcpChecksum(b: Uint8Array, ipLen: number): void {
  const v4 = ipLen === 20 || (b[0] as number) >>> 4 === 4;
  const src = v4 ? b.subarray(12, 16) : b.subarray(8, 24);
  const dst = v4 ? b.subarray(16, 20) : b.subarray(24, 40);
  const tcpLen = b.length - ipLen;
  const at = ipLen + TCP_CSUM_OFFSET;
  b[at] = 0;
  b[at + 1] = 0;
  const ph = pseudoHeaderSum(src, dst, IPPROTO_TCP, tcpLen);
  const c = checksumFinish(checksumPartial(b, ph, ipLen, b.length));
  b[at] = c >>> 8;
  b[at + 1] = c & 0xff;
}

/** The IPv4 header checksum of `b[0, ihl)`, refilled after the total length changed. */
function fillIpv4HeaderChecksum(b: Uint8Array, ihl: number): void {
  b[10] = 0;
  b[11] = 0;
  const c = checksumFinish(checksumPartial(b, 0, 0, ihl));
  b[10] = c >>> 8;
  b[11] = c & 0xff;
}

/**
 * Cuts a GSO packet into packets of at most `meta.gsoSize` payload bytes, each a complete IPv4 or
 * IPv6 packet with a full TCP checksum. Each piece repeats the header with SEQ moved on by the bytes
 * before it (RFC 9293 §3.4: each octet has its own sequence number); FIN and PSH stay only on the
 * last piece and CWR only on the first (Linux tcp_gso_segment). A packet with nothing to cut comes
 * back as one packet, its checksum completed when it was partial.
 */
export function segmentGso(packet: Uint8Array, meta: TxMeta): Uint8Array[] {
  const ipLen = meta.csumStart;
  const tcpHdr = ((packet[ipLen + 12] as number) >>> 4) * 4;
  const hdrLen = ipLen + tcpHdr;
  const payload = packet.length - hdrLen;
  const mss = meta.gsoSize;
  if (mss <= 0 || payload <= mss) {
    const one = packet.slice();
    if (meta.needsCsum) completeChecksum(one, meta);
    return [one];
  }
  const v4 = (packet[0] as number) >>> 4 === 4;
  const seq0 = seq(
    ((packet[ipLen + 4] as number) << 24) |
      ((packet[ipLen + 5] as number) << 16) |
      ((packet[ipLen + 6] as number) << 8) |
      (packet[ipLen + 7] as number),
  );
  const flags = packet[ipLen + 13] as number;
  const out: Uint8Array[] = [];
  for (let off = 0; off < payload; off += mss) {
    const len = Math.min(mss, payload - off);
    const b = new Uint8Array(hdrLen + len);
    b.set(packet.subarray(0, hdrLen), 0);
    b.set(packet.subarray(hdrLen + off, hdrLen + off + len), hdrLen);
    if (v4) {
      const total = hdrLen + len;
      b[2] = total >>> 8;
      b[3] = total & 0xff;
      fillIpv4HeaderChecksum(b, ipLen);
    } else {
      const pl = tcpHdr + len;
      b[4] = pl >>> 8;
      b[5] = pl & 0xff;
    }
    const s = seqAdd(seq0, off) as number;
    b[ipLen + 4] = s >>> 24;
    b[ipLen + 5] = (s >>> 16) & 0xff;
    b[ipLen + 6] = (s >>> 8) & 0xff;
    b[ipLen + 7] = s & 0xff;
    let f = flags;
    if (off + len < payload) f &= ~(TcpFlag.FIN | TcpFlag.PSH);
    if (off > 0) f &= ~TcpFlag.CWR;
    b[ipLen + 13] = f;
    fillTcpChecksum(b, ipLen);
    out.push(b);
  }
  return out;
}
