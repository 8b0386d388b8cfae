// A minimal reader for classic pcap files (the libpcap format: 24-byte global header, then per
// record a 16-byte header with ts_sec, ts_usec, incl_len, orig_len), written by hand so the test
// does not trust the code it checks. Only what the wire tests need: Ethernet link type.
import { readFileSync } from 'node:fs';

export interface PcapRecord {
  /** The captured frame (incl_len bytes). */
  frame: Uint8Array;
  origLength: number;
}

export function readPcap(path: string): { linkType: number; records: PcapRecord[] } {
  const f = new Uint8Array(readFileSync(path));
  const dv = new DataView(f.buffer, f.byteOffset, f.byteLength);
  const magic = dv.getUint32(0, true);
  let le: boolean;
  if (magic === 0xa1b2c3d4) le = true;
  else if (magic === 0xd4c3b2a1) le = false;
  else throw new Error(`not a microsecond pcap file (magic ${magic.toString(16)})`);
  const linkType = dv.getUint32(20, le);
  const records: PcapRecord[] = [];
  let o = 24;
  // Bounded: every record advances o by at least 16.
  while (o + 16 <= f.length) {
    const incl = dv.getUint32(o + 8, le);
    const orig = dv.getUint32(o + 12, le);
    if (o + 16 + incl > f.length) throw new Error(`record at ${o} runs past the file`);
    records.push({ frame: f.slice(o + 16, o + 16 + incl), origLength: orig });
    o += 16 + incl;
  }
  return { linkType, records };
}

/** The IP packet of an Ethernet II frame (skips the 14-byte header: dst, src, EtherType). */
export function ethernetPayload(frame: Uint8Array): { etherType: number; packet: Uint8Array } {
  return {
    etherType: ((frame[12] as number) << 8) | (frame[13] as number),
    packet: frame.subarray(14),
  };
}

export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
