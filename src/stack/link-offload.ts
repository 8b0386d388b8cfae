/**
 * Link offloads: what a link (SimNetwork, TunLink with a virtio-net header) can do for the stack so
 * that the stack does less per byte — the same three offloads Linux negotiates with its devices:
 *
 * - **tx checksum offload** (Linux NETIF_F_HW_CSUM, skb CHECKSUM_PARTIAL): the stack does not sum
 *   the TCP segment; it writes the folded one's-complement sum of the pseudo-header (RFC 9293 §3.1;
 *   RFC 8200 §8.1), NOT complemented, into the checksum field, and the link completes it: the
 *   one's-complement sum of the bytes from `csumStart` to the end, complemented, stored at
 *   `csumStart + csumOffset` (RFC 1071). This is exactly the virtio-net header's
 *   VIRTIO_NET_HDR_F_NEEDS_CSUM with csum_start = IP header length, csum_offset = 16.
 * - **rx checksum valid** (CHECKSUM_UNNECESSARY, virtio's DATA_VALID — or a CHECKSUM_PARTIAL packet
 *   delivered locally, which Linux also treats as verified): the link vouches for a packet's TCP
 *   checksum, and the stack skips verifying it. The IPv4 header checksum is always verified (Linux
 *   does too: ip_rcv_core).
 * - **TSO/GSO** (NETIF_F_TSO / TSO6, virtio's gso_type TCPV4/TCPV6): the link accepts TCP packets
 *   of up to `gsoMaxSize` bytes whose payload stands for several segments of `gsoSize` (= the MSS)
 *   bytes each; the link (or the receiver, when the packet is delivered locally as Linux does on
 *   loopback and veth) cuts it — or never does. Every piece gets the big packet's header with its
 *   sequence number moved on, and only the last keeps FIN and PSH (Linux tcp_gso_segment).
 *   GSO needs tx checksum offload (Linux drops TSO from a device without checksum offload:
 *   netdev_fix_features), so a link declaring `gsoMaxSize` must declare `txChecksum`.
 *
 * The engine builds segments of up to k·MSS bytes when the stack asks it to (k from `gsoMaxSize`);
 * a link without GSO gets MSS-sized segments, or — with the stack's `softwareGso` option — large ones
 * that the stack cuts itself before the link (src/stack/gso-segment.ts), as Linux's software GSO.
 */

/** What a link declares to the stack once, with `Stack.setOutput(send, offload)`. */
export interface LinkOffload {
  /** The link completes TCP checksums of packets whose TxMeta says `needsCsum`. */
  readonly txChecksum: boolean;
  /**
   * The largest TCP/IP packet (IP header + TCP header + payload, bytes) the link accepts with a
   * `gsoSize`; 0 or absent: no GSO (every packet fits the link MTU). At most 65535 (IPv4 total
   * length; IPv6 without jumbograms).
   */
  readonly gsoMaxSize?: number;
  /** Most segments in one GSO packet (Linux gso_max_segs); default 64. */
  readonly gsoMaxSegs?: number;
  /**
   * Scatter-gather (Linux NETIF_F_SG): the link takes a TCP packet as two pieces, the IP + TCP
   * headers and the payload (a view the stack does not copy), and sends them as one packet. Needs
   * `txChecksum` (the stack then never reads the payload at all). The payload view is the send
   * buffer's memory, reused once acknowledged (ConnectionOptions.transientPayloads): it is valid
   * only during the output call, so a link that queues the packet keeps a copy (as TunDevice does).
   */
  readonly scatterGather?: boolean;
}

/**
 * Per-packet metadata from the stack to the link (the fields of a virtio-net header). Packets with
 * none of it have a complete checksum and fit the MTU.
 */
export interface TxMeta {
  /**
   * CHECKSUM_PARTIAL: the TCP checksum field holds the folded pseudo-header sum (not complemented);
   * the link completes it over [csumStart, end) into csumStart + csumOffset.
   */
  readonly needsCsum: boolean;
  /** Where the checksummed bytes begin: the IP header length (20 for IPv4, 40 for IPv6). */
  readonly csumStart: number;
  /** Offset of the checksum field from csumStart: 16 for TCP. */
  readonly csumOffset: number;
  /** > 0: a GSO packet whose payload is cut into pieces of this many bytes (the last may be short). */
  readonly gsoSize: number;
  /** IP + TCP header length (virtio hdr_len): the header every piece repeats. */
  readonly hdrLen: number;
}

/** Per-packet metadata from the link to the stack (`Stack.receive(packet, meta)`). */
export interface RxMeta {
  /** The link vouches for the TCP checksum (or the field holds a partial sum): do not verify it. */
  readonly csumValid?: boolean;
  /**
   * > 0: the packet is a GSO/GRO aggregate of segments of this size (information only: the engine
   * accepts a segment larger than its MSS whatever this says, RFC 9293 §3.7.1).
   */
  readonly gsoSize?: number;
}

/** The TCP checksum field's offset inside the TCP header (RFC 9293 §3.1). */
export const TCP_CSUM_OFFSET = 16;
/** Linux's gso_max_segs default (GSO_MAX_SEGS is 65535; TSO devices mostly say 64). */
export const DEFAULT_GSO_MAX_SEGS = 64;
/** The largest GSO packet: the IPv4 total length field's limit (Linux GSO_LEGACY_MAX_SIZE). */
export const GSO_MAX_SIZE = 65535;

/** TxMeta of a packet that only needs its checksum completed (no GSO), per IP header length. */
export const TX_CSUM_V4: TxMeta = Object.freeze({
  needsCsum: true,
  csumStart: 20,
  csumOffset: TCP_CSUM_OFFSET,
  gsoSize: 0,
  hdrLen: 0,
});
export const TX_CSUM_V6: TxMeta = Object.freeze({
  needsCsum: true,
  csumStart: 40,
  csumOffset: TCP_CSUM_OFFSET,
  gsoSize: 0,
  hdrLen: 0,
});

/** RxMeta of a packet whose checksum the link vouches for. */
export const RX_CSUM_VALID: RxMeta = Object.freeze({ csumValid: true });

/** Throws RangeError for a declaration the stack cannot honour. */
export function checkLinkOffload(o: LinkOffload): void {
  const size = o.gsoMaxSize ?? 0;
  if (!Number.isInteger(size) || size < 0 || size > GSO_MAX_SIZE) {
    throw new RangeError(`LinkOffload: gsoMaxSize must be an integer in [0, 65535], got ${size}`);
  }
  if (size > 0 && !o.txChecksum) {
    throw new RangeError('LinkOffload: GSO needs tx checksum offload (txChecksum: true)');
  }
  const segs = o.gsoMaxSegs ?? DEFAULT_GSO_MAX_SEGS;
  if (!Number.isInteger(segs) || segs < 1) {
    throw new RangeError(`LinkOffload: gsoMaxSegs must be an integer >= 1, got ${segs}`);
  }
}
