/**
 * The connection variables of both hosts side by side (RFC 9293 §3.3.1's SND.UNA, SND.NXT, SND.WND,
 * RCV.NXT, RCV.WND; RFC 5681's cwnd and ssthresh; RFC 6298's SRTT and RTO), read from the engine's
 * info() after every event. A value that just changed is highlighted.
 */
import type { TcpInfo } from '../../tcp/tcp-info.js';
import { h } from './dom.js';

export interface VarsColumn {
  title: string;
  cls: string;
  info: TcpInfo | undefined;
  /** ISN of each direction, for relative numbers (undefined: show absolute). */
  sendBase?: number;
  recvBase?: number;
  extra: { state: string; received: number };
}

interface Row {
  name: string;
  rfc: string;
  value: (c: VarsColumn) => string;
}

const INF = 0x3fffffff;
const num = (n: number | undefined): string =>
  n === undefined ? '–' : n >= INF ? '∞' : n.toLocaleString('en');
const ms = (n: number | undefined): string =>
  n === undefined ? '–' : `${Math.round(n * 10) / 10} ms`;
const rel = (v: number | undefined, base: number | undefined): string =>
  v === undefined ? '–' : base === undefined ? String(v >>> 0) : String(((v >>> 0) - base) >>> 0);

const ROWS: Row[] = [
  { name: 'state', rfc: 'RFC 9293 §3.3.2', value: (c) => c.extra.state },
  {
    name: 'SND.UNA',
    rfc: 'oldest unacknowledged sequence number (§3.3.1)',
    value: (c) => rel(c.info?.sndUna, c.sendBase),
  },
  {
    name: 'SND.NXT',
    rfc: 'next sequence number to send (§3.3.1)',
    value: (c) => rel(c.info?.sndNxt, c.sendBase),
  },
  {
    name: 'SND.WND',
    rfc: "peer's advertised window, bytes (§3.3.1)",
    value: (c) => num(c.info?.sndWnd),
  },
  {
    name: 'RCV.NXT',
    rfc: 'next sequence number expected (§3.3.1)',
    value: (c) => rel(c.info?.rcvNxt, c.recvBase),
  },
  {
    name: 'RCV.WND',
    rfc: 'window we advertise, bytes (§3.3.1)',
    value: (c) => num(c.info?.rcvWnd),
  },
  { name: 'cwnd', rfc: 'congestion window, bytes (RFC 5681 §2)', value: (c) => num(c.info?.cwnd) },
  {
    name: 'ssthresh',
    rfc: 'slow start threshold, bytes (RFC 5681 §3.1)',
    value: (c) => num(c.info?.ssthresh),
  },
  { name: 'SRTT', rfc: 'smoothed round-trip time (RFC 6298 §2)', value: (c) => ms(c.info?.srtt) },
  { name: 'RTO', rfc: 'retransmission timeout (RFC 6298 §2)', value: (c) => ms(c.info?.rto) },
  {
    name: 'in flight',
    rfc: 'bytes sent, not yet acknowledged',
    value: (c) => num(c.info?.bytesInFlight),
  },
  {
    name: 'retransmits',
    rfc: 'segments retransmitted',
    value: (c) => num(c.info?.totalRetransmits),
  },
  { name: 'read by app', rfc: 'bytes the application read', value: (c) => num(c.extra.received) },
];

let previous = new Map<string, string>();

export function renderVars(host: HTMLElement, cols: VarsColumn[], relative: boolean): void {
  const next = new Map<string, string>();
  const table = h(
    'table',
    { 'aria-label': 'Connection variables' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'variable'),
        ...cols.map((c) => h('th', { scope: 'col', class: c.cls }, c.title)),
      ),
    ),
  );
  const body = h('tbody');
  for (const r of ROWS) {
    const tr = h('tr', {}, h('th', { scope: 'row', title: r.rfc }, r.name));
    for (const c of cols) {
      const v = r.value(c);
      const key = `${c.cls}/${r.name}`;
      next.set(key, v);
      const changed = previous.has(key) && previous.get(key) !== v;
      tr.append(h('td', { class: changed ? 'changed' : undefined, 'data-var': key }, v));
    }
    body.append(tr);
  }
  table.append(body);
  previous = next;
  const note = h(
    'p',
    { class: 'hint' },
    relative ? 'Sequence numbers relative to each side’s ISN.' : 'Absolute sequence numbers.',
  );
  host.replaceChildren(table, note);
}
