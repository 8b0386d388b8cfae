/**
 * A pcap of a traced run: every segment a host sent (its `send` event) rebuilt as the IP packet the
 * stack put on the link (wire/ip-packet.ts builds it exactly as the stack does, checksums
 * included). Times are the send times plus `epochMs`, so a virtual-clock run shows a real-looking
 * date in Wireshark.
 *
 * A GSO segment (a link with offloads, src/stack/link-offload.ts) is written as the one large
 * packet the engine built, as tcpdump on a Linux veth or lo shows a GSO/GRO packet; its checksum is
 * computed here, when the capture is written (the stack left it to the link), so Wireshark
 * validates every packet. The ladder diagrams draw it as one arrow of its full length likewise.
 */
import { buildTcpPacket } from '../wire/ip-packet.js';
import { parseEndpoint } from './endpoint.js';
import { PcapWriter } from './pcap-writer.js';
import type { Traced } from './traced.js';

export function pcapFromEvents(events: readonly Traced[], epochMs = 0): Uint8Array {
  const w = new PcapWriter(epochMs);
  for (const e of events) {
    if (e.type !== 'segment' || e.event !== 'send') continue;
    const s = parseEndpoint(e.src);
    const d = parseEndpoint(e.dst);
    if (!s || !d) continue;
    let packet: Uint8Array;
    try {
      packet = buildTcpPacket(s.address, d.address, e.segment);
    } catch {
      continue; // not an address the wire layer can build (a hand-made trace): nothing to write
    }
    w.add(packet, e.t);
  }
  return w.bytes();
}
