/**
 * The state machine panel: the trace layer's diagram of RFC 9293 Figure 5, generated from the
 * engine's own transition table (src/tcp/transitions.ts), with the path each host took drawn in
 * its colour; the state each host is in now is lit and tagged with its name.
 */
import type { TcpState } from '../../tcp/state.js';
import { renderStateDiagramSvg } from '../../trace/state-diagram.js';
import { s } from './dom.js';

export interface FsmHosts {
  client: { current: TcpState; path: readonly TcpState[] };
  server: { current: TcpState; path: readonly TcpState[] };
}

let lastKey = '';

/** Which of the two CLOSED boxes (Figure 5 draws CLOSED at the top and at the bottom) is meant. */
function closedBox(path: readonly TcpState[]): 'top' | 'bottom' {
  const prev = path.length >= 2 ? path[path.length - 2] : undefined;
  return prev === undefined || prev === 'LISTEN' || prev === 'SYN-SENT' ? 'top' : 'bottom';
}

function light(
  svg: SVGSVGElement,
  who: 'client' | 'server',
  state: TcpState,
  path: readonly TcpState[],
): void {
  const labels = [...svg.querySelectorAll<SVGTextElement>('text.nlabel')].filter(
    (t) => t.textContent === state,
  );
  const label =
    state === 'CLOSED' && closedBox(path) === 'bottom' ? labels[labels.length - 1] : labels[0];
  const rect = label?.previousElementSibling;
  if (!label || !(rect instanceof SVGRectElement)) return;
  rect.classList.add(`current-${who}`);
  const x = Number(rect.getAttribute('x'));
  const y = Number(rect.getAttribute('y'));
  const w = Number(rect.getAttribute('width'));
  const h = Number(rect.getAttribute('height'));
  const tag = who === 'client' ? `◀ client` : `server ▶`;
  const tx = who === 'client' ? x + w + 6 : x - 6;
  svg.append(
    s(
      'text',
      {
        class: `now-tag ${who}`,
        x: tx,
        y: y + h / 2 + (who === 'client' ? -2 : 10),
        'text-anchor': who === 'client' ? 'start' : 'end',
      },
      tag,
    ),
  );
}

export function renderFsm(host: HTMLElement, hosts: FsmHosts): void {
  const key = JSON.stringify(hosts);
  if (key === lastKey && host.firstElementChild) return;
  lastKey = key;
  // Server first: the diagram's first path colour is the page's server colour, the second the client's.
  const markup = renderStateDiagramSvg({
    paths: [
      { label: 'server', states: hosts.server.path },
      { label: 'client', states: hosts.client.path },
    ],
  });
  const doc = new DOMParser().parseFromString(markup, 'image/svg+xml');
  const svg = doc.documentElement;
  if (!(svg instanceof SVGSVGElement)) {
    host.textContent = 'state diagram unavailable';
    return;
  }
  const node = document.importNode(svg, true);
  node.removeAttribute('width');
  node.removeAttribute('height');
  node.setAttribute(
    'aria-label',
    `TCP state diagram: client in ${hosts.client.current}, server in ${hosts.server.current}`,
  );
  light(node, 'client', hosts.client.current, hosts.client.path);
  light(node, 'server', hosts.server.current, hosts.server.path);
  host.replaceChildren(node);
}
