/**
 * Writes classic pcap files (the libpcap format: a 24-byte file header, then a 16-byte record header
 * before each packet; https://www.tcpdump.org/manpages/pcap-savefile.5.html) with link type
 * LINKTYPE_RAW (101): every record is a bare IPv4 or IPv6 packet, which is what synack's links
 * carry, so no fake Ethernet header is invented. tcpdump, tshark and Wireshark read it as is.
 *
 * Browser-safe: it only builds Uint8Arrays; pcap-node.ts streams them to a file.
 */

/** Link-layer header types (https://www.tcpdump.org/linktypes.html). */
export const LinkType = {
  NULL: 0,
  ETHERNET: 1,
  /** OpenBSD / old libpcap values for raw IP, seen in some files. */
  RAW_12: 12,
  RAW_14: 14,
  RAW: 101,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

export const PCAP_MAGIC_MICRO = 0xa1b2c3d4;
export const PCAP_MAGIC_NANO = 0xa1b23c4d;
/** Large enough for any IPv4 or IPv6 packet synack emits (and jumbo test frames). */
export const PCAP_SNAPLEN = 262_144;

/** The 24-byte file header (little-endian, microsecond timestamps, version 2.4). */
export function pcapFileHeader(
  linkType: number = LinkType.RAW,
  snaplen = PCAP_SNAPLEN,
): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setUint32(0, PCAP_MAGIC_MICRO, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setInt32(8, 0, true); // thiszone: timestamps are UTC
  v.setUint32(12, 0, true); // sigfigs
  v.setUint32(16, snaplen, true);
  v.setUint32(20, linkType, true);
  return b;
}

/**
 * One record: header + packet bytes. `timeMs` is milliseconds since the Unix epoch (fractions
 * kept to the microsecond). Packets longer than the snaplen are cut, with the original length kept.
 */
export function pcapRecord(packet: Uint8Array, timeMs: number, snaplen = PCAP_SNAPLEN): Uint8Array {
  const incl = Math.min(packet.length, snaplen);
  const b = new Uint8Array(16 + incl);
  const v = new DataView(b.buffer);
  const totalUs = Math.max(0, Math.round(timeMs * 1000));
  const sec = Math.floor(totalUs / 1e6);
  v.setUint32(0, sec >>> 0, true);
  v.setUint32(4, totalUs - sec * 1e6, true);
  v.setUint32(8, incl, true);
  v.setUint32(12, packet.length, true);
  b.set(packet.subarray(0, incl), 16);
  return b;
}

/**
 * Collects packets into an in-memory pcap. `epochMs` is added to every time, so that a run on a
 * virtual clock starting at 0 still shows a plausible date in Wireshark.
 */
export class PcapWriter {
  private readonly chunks: Uint8Array[];
  private size: number;
  packets = 0;

  constructor(
    private readonly epochMs = 0,
    readonly linkType: number = LinkType.RAW,
  ) {
    const h = pcapFileHeader(linkType);
    this.chunks = [h];
    this.size = h.length;
  }

  /** Appends one packet seen at `timeMs` (on the run's clock); returns the record's bytes. */
  add(packet: Uint8Array, timeMs: number): Uint8Array {
    const r = pcapRecord(packet, this.epochMs + timeMs);
    this.chunks.push(r);
    this.size += r.length;
    this.packets++;
    return r;
  }

  /** A tap for any link: wrap the function a link calls to deliver a packet. */
  tap<A extends unknown[]>(
    deliver: (packet: Uint8Array, ...rest: A) => void,
    now: () => number,
  ): (packet: Uint8Array, ...rest: A) => void {
    return (packet, ...rest) => {
      this.add(packet, now());
      deliver(packet, ...rest);
    };
  }

  /** The file so far. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}
