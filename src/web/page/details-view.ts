/**
 * The selected segment: every header field (RFC 9293 §3.1), the options, a look at the payload,
 * where it went, and the trace layer's one line on why it was sent.
 */
import type { Arrow } from '../../trace/ladder.js';
import { flagText } from '../../trace/segment-view.js';
import { buildTcpPacket } from '../../wire/ip-packet.js';
import { parseEndpoint } from '../../trace/endpoint.js';
import { h, secs } from './dom.js';

function payloadPreview(p: Uint8Array): string {
  if (p.length === 0) return '(none)';
  const shown = p.subarray(0, 48);
  let text = '';
  for (const b of shown) text += b >= 32 && b < 127 ? String.fromCharCode(b) : '·';
  return `${p.length} bytes: “${text}”${p.length > shown.length ? '…' : ''}`;
}

function hex16(n: number): string {
  return '0x' + n.toString(16).padStart(4, '0');
}

/** The TCP checksum the wire module computes for this segment (bytes 16–17 of the header). */
function checksumOf(a: Arrow): string {
  const src = parseEndpoint(a.view.src);
  const dst = parseEndpoint(a.view.dst);
  if (!src || !dst) return '–';
  try {
    const p = buildTcpPacket(src.address, dst.address, a.segment);
    const ihl = p[0]! >>> 4 === 4 ? (p[0]! & 0x0f) * 4 : 40;
    return hex16((p[ihl + 16]! << 8) | p[ihl + 17]!);
  } catch {
    return '–';
  }
}

export function renderDetails(
  host: HTMLElement,
  a: Arrow | undefined,
  why: string | undefined,
  lanes: readonly string[],
): void {
  if (!a) {
    host.replaceChildren(
      h(
        'p',
        { class: 'hint' },
        'Select a segment in the ladder to see its header and why it was sent.',
      ),
    );
    return;
  }
  const v = a.view;
  const seg = a.segment;
  const o = seg.options;
  const rows: [string, string][] = [
    ['segment', `#${a.n}, ${lanes[a.from] ?? '?'} → ${lanes[a.to] ?? '?'}`],
    ['source', v.src],
    ['destination', v.dst],
    ['sequence number', `${v.relSeq} (relative) · ${v.seq} (absolute)`],
    [
      'acknowledgment',
      v.flags.includes('ACK')
        ? `${v.relAck} (relative) · ${v.ack} (absolute)`
        : `${v.ack} (ACK not set)`,
    ],
    ['flags', flagText(v)],
    ['window', `${v.win}${o.windowScale !== undefined ? ' (SYN: never scaled)' : ''}`],
    ['urgent pointer', String(seg.urgent)],
    ['checksum', checksumOf(a)],
    ['payload', payloadPreview(seg.payload)],
  ];
  const opts: string[] = [];
  if (o.mss !== undefined) opts.push(`MSS ${o.mss}`);
  if (o.windowScale !== undefined) opts.push(`window scale ${o.windowScale}`);
  if (o.sackPermitted) opts.push('SACK permitted');
  if (v.sack) opts.push(`SACK ${v.sack.map(([l, r]) => `${l}–${r}`).join(', ')}`);
  if (o.timestamps) opts.push(`timestamps ${o.timestamps.tsVal}/${o.timestamps.tsEcr}`);
  rows.push(['options', opts.length ? opts.join(', ') : '(none)']);
  const fate =
    a.fate === 'delivered'
      ? `delivered at ${secs(a.tEnd ?? a.tSend)} (${Math.round(((a.tEnd ?? a.tSend) - a.tSend) * 1000) / 1000} ms)`
      : a.fate === 'lost'
        ? `lost in the network (${a.reason ?? 'loss'})`
        : a.fate === 'dropped'
          ? `arrived, not accepted: ${a.reason ?? 'dropped'}`
          : 'in flight';
  rows.push(['sent', secs(a.tSend)], ['fate', fate]);
  if (a.retransmission) rows.push(['retransmission', 'yes: this sequence space was sent before']);
  const table = h('table', { 'aria-label': `Header of segment ${a.n}` });
  for (const [k, val] of rows)
    table.append(h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, val)));
  const whyBox = h('p', { class: `why${a.fate === 'lost' ? ' lost' : ''}`, id: 'why' }, why ?? '');
  host.replaceChildren(whyBox, table);
}
