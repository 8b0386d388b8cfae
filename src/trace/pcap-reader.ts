/**
 * Reads capture files: classic pcap (either byte order, microsecond or nanosecond magic) and
 * pcapng (Section Header, Interface Description, Enhanced / Simple / obsolete Packet blocks; each
 * interface with its own link type and if_tsresol). Formats: pcap-savefile(5) and
 * draft-ietf-opsawg-pcapng. Bad or truncated files give a PcapError, never a crash; a truncated
 * last record is reported in `truncated` and the packets before it are kept.
 */
import { PCAP_MAGIC_MICRO, PCAP_MAGIC_NANO } from './pcap-writer.js';

export interface CapturedPacket {
  /** Milliseconds since the Unix epoch (a double: about a quarter-microsecond resolution today). */
  t: number;
  /** The exact timestamp: whole seconds since the epoch and nanoseconds within the second. */
  sec: number;
  nsec: number;
  linkType: number;
  /** The captured bytes (may be shorter than origLen when the snaplen cut them). */
  data: Uint8Array;
  origLen: number;
}

export interface Capture {
  format: 'pcap' | 'pcapng';
  packets: CapturedPacket[];
  /** True when the file ended in the middle of a record. */
  truncated: boolean;
}

export class PcapError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PcapError';
  }
}

const PCAPNG_SHB = 0x0a0d0d0a;
const PCAPNG_BOM = 0x1a2b3c4d;

export function readCapture(bytes: Uint8Array, maxPackets = 1_000_000): Capture {
  if (bytes.length < 4) throw new PcapError(`not a capture file: ${bytes.length} bytes`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const m = v.getUint32(0, true);
  if (m === PCAPNG_SHB) return readPcapng(bytes, v, maxPackets);
  return readPcap(bytes, v, maxPackets);
}

function readPcap(bytes: Uint8Array, v: DataView, maxPackets: number): Capture {
  if (bytes.length < 24) throw new PcapError('pcap file header truncated');
  let le: boolean;
  let nano: boolean;
  const ml = v.getUint32(0, true);
  const mb = v.getUint32(0, false);
  if (ml === PCAP_MAGIC_MICRO || ml === PCAP_MAGIC_NANO) {
    le = true;
    nano = ml === PCAP_MAGIC_NANO;
  } else if (mb === PCAP_MAGIC_MICRO || mb === PCAP_MAGIC_NANO) {
    le = false;
    nano = mb === PCAP_MAGIC_NANO;
  } else {
    throw new PcapError(`not a pcap or pcapng file (magic 0x${mb.toString(16).padStart(8, '0')})`);
  }
  // The link type is the low 16 bits; the upper bits may carry FCS information (pcap-savefile(5)).
  const linkType = v.getUint32(20, le) & 0xffff;
  const packets: CapturedPacket[] = [];
  let o = 24;
  let truncated = false;
  while (o < bytes.length && packets.length < maxPackets) {
    if (o + 16 > bytes.length) {
      truncated = true;
      break;
    }
    const sec = v.getUint32(o, le);
    const frac = v.getUint32(o + 4, le);
    const incl = v.getUint32(o + 8, le);
    const orig = v.getUint32(o + 12, le);
    if (o + 16 + incl > bytes.length) {
      truncated = true;
      break;
    }
    const nsec = nano ? frac : frac * 1000;
    packets.push({
      t: sec * 1000 + nsec / 1e6,
      sec,
      nsec,
      linkType,
      data: bytes.subarray(o + 16, o + 16 + incl),
      origLen: orig,
    });
    o += 16 + incl;
  }
  return { format: 'pcap', packets, truncated };
}

interface Interface {
  linkType: number;
  /** Timestamp units per second. */
  unitsPerSec: bigint;
}

function readPcapng(bytes: Uint8Array, v: DataView, maxPackets: number): Capture {
  const packets: CapturedPacket[] = [];
  let interfaces: Interface[] = [];
  let le = true;
  let o = 0;
  let truncated = false;
  while (o < bytes.length && packets.length < maxPackets) {
    if (o + 12 > bytes.length) {
      truncated = true;
      break;
    }
    const type = v.getUint32(o, le);
    if (type === PCAPNG_SHB) {
      // A new section: its byte-order magic decides how the rest of the section is read.
      if (o + 12 > bytes.length) throw new PcapError('pcapng section header truncated');
      const bom = v.getUint32(o + 8, true);
      if (bom === PCAPNG_BOM) le = true;
      else if (v.getUint32(o + 8, false) === PCAPNG_BOM) le = false;
      else throw new PcapError('pcapng section header with a bad byte-order magic');
      interfaces = [];
    }
    const len = v.getUint32(o + 4, le);
    if (len < 12 || len % 4 !== 0)
      throw new PcapError(`pcapng block at ${o} has bad length ${len}`);
    if (o + len > bytes.length) {
      truncated = true;
      break;
    }
    const body = o + 8;
    const end = o + len - 4;
    if (type === 1) {
      interfaces.push(readInterface(v, bytes, body, end, le));
    } else if (type === 6 || type === 2) {
      // Enhanced Packet Block (6) or the obsolete Packet Block (2).
      const ifId = type === 6 ? v.getUint32(body, le) : v.getUint16(body, le);
      const hi = v.getUint32(body + 4, le);
      const lo = v.getUint32(body + 8, le);
      const cap = v.getUint32(body + 12, le);
      const orig = v.getUint32(body + 16, le);
      const iface = interfaces[ifId];
      if (!iface) throw new PcapError(`pcapng packet for undeclared interface ${ifId}`);
      if (body + 20 + cap > end)
        throw new PcapError(`pcapng packet block at ${o} overruns its block`);
      // 64-bit units: BigInt keeps nanosecond timestamps exact (a double would not).
      const units = (BigInt(hi) << 32n) | BigInt(lo);
      const sec = Number(units / iface.unitsPerSec);
      const nsec = Number(((units % iface.unitsPerSec) * 1_000_000_000n) / iface.unitsPerSec);
      packets.push({
        t: sec * 1000 + nsec / 1e6,
        sec,
        nsec,
        linkType: iface.linkType,
        data: bytes.subarray(body + 20, body + 20 + cap),
        origLen: orig,
      });
    } else if (type === 3) {
      // Simple Packet Block: interface 0, no timestamp.
      const iface = interfaces[0];
      if (!iface) throw new PcapError('pcapng simple packet block before any interface');
      const orig = v.getUint32(body, le);
      const cap = Math.min(orig, end - body - 4);
      packets.push({
        t: 0,
        sec: 0,
        nsec: 0,
        linkType: iface.linkType,
        data: bytes.subarray(body + 4, body + 4 + cap),
        origLen: orig,
      });
    }
    // Other blocks (name resolution, statistics, custom …) carry nothing a ladder needs.
    o += len;
  }
  return { format: 'pcapng', packets, truncated };
}

function readInterface(
  v: DataView,
  bytes: Uint8Array,
  body: number,
  end: number,
  le: boolean,
): Interface {
  if (body + 8 > end) throw new PcapError('pcapng interface block truncated');
  const iface: Interface = { linkType: v.getUint16(body, le), unitsPerSec: 1_000_000n };
  let p = body + 8;
  // Options: code (2), length (2), value padded to 4 bytes; opt_endofopt (0) ends them.
  while (p + 4 <= end) {
    const code = v.getUint16(p, le);
    const olen = v.getUint16(p + 2, le);
    if (code === 0) break;
    if (code === 9 && olen >= 1 && p + 4 < end) {
      // if_tsresol: high bit clear → 10^-n seconds, set → 2^-n seconds.
      const r = bytes[p + 4] as number;
      iface.unitsPerSec = (r & 0x80) === 0 ? 10n ** BigInt(r) : 2n ** BigInt(r & 0x7f);
    }
    p += 4 + Math.ceil(olen / 4) * 4;
  }
  return iface;
}
