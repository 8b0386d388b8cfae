/**
 * The TCP state machine drawn from the engine's own transition table (src/tcp/transitions.ts), so
 * the picture cannot drift from the code: every edge is a row of TRANSITIONS, labelled with its
 * event and action in RFC 9293 Figure 5's notation. Only the node positions are chosen here (they
 * follow Figure 5's layout, with CLOSED drawn twice as the figure does: opens leave the top one,
 * closes reach the bottom one). The arrows of Figure 5 are solid; the ones only the prose adds
 * (resets, aborts, give-ups) are drawn when a highlighted path takes them, or with `all`.
 * A path — the states one side of a trace went through — is highlighted with numbered steps.
 */
import { TRANSITIONS, type Transition } from '../tcp/transitions.js';
import { TCP_STATES, type TcpState } from '../tcp/state.js';
import { px, xmlEscape as esc } from './xml.js';
import type { Ladder } from './ladder.js';

export interface StatePath {
  label: string;
  states: readonly TcpState[];
}

export interface StateDiagramOptions {
  /** Paths to highlight (at most a few: each gets its own colour). */
  paths?: readonly StatePath[];
  /** Draw every transition, not only Figure 5's and the highlighted ones. */
  all?: boolean;
  title?: string;
}

/** The paths of a ladder: each lane's state sequence. */
export function pathsOf(l: Ladder): StatePath[] {
  return l.lanes
    .filter((x) => x.states.length > 1)
    .map((x) => ({ label: x.label, states: x.states }));
}

type NodeId = Exclude<TcpState, 'CLOSED'> | 'CLOSED-top' | 'CLOSED-bottom';

/** Grid position (column 0..2, row 0..6) of each node, after RFC 9293 Figure 5. */
const GRID: Record<NodeId, [number, number]> = {
  'CLOSED-top': [1, 0],
  LISTEN: [1, 1],
  'SYN-RECEIVED': [0, 2],
  'SYN-SENT': [2, 2],
  ESTABLISHED: [1, 3],
  'FIN-WAIT-1': [0, 4],
  'CLOSE-WAIT': [2, 4],
  'FIN-WAIT-2': [0, 5],
  CLOSING: [1, 5],
  'LAST-ACK': [2, 5],
  'TIME-WAIT': [0, 6],
  'CLOSED-bottom': [2, 6],
};

function fromNode(s: TcpState): NodeId {
  return s === 'CLOSED' ? 'CLOSED-top' : s;
}
/** Opens that are undone (LISTEN, SYN-SENT → CLOSED) go back up, as in Figure 5. */
function toNode(from: TcpState, to: TcpState): NodeId {
  if (to !== 'CLOSED') return to;
  return from === 'LISTEN' || from === 'SYN-SENT' ? 'CLOSED-top' : 'CLOSED-bottom';
}

const PATH_COLORS = ['#d81b60', '#1e88e5', '#43a047', '#fb8c00'];
const NODE_W = 136;
const NODE_H = 34;

interface Edge {
  from: TcpState;
  to: TcpState;
  a: NodeId;
  b: NodeId;
  rows: Transition[];
  figure5: boolean;
  /** Per path index: the step numbers at which the path took this edge. */
  taken: Map<number, number[]>;
}

function edgesOf(paths: readonly StatePath[]): Edge[] {
  const map = new Map<string, Edge>();
  for (const t of TRANSITIONS) {
    const k = `${t.from}>${t.to}`;
    let e = map.get(k);
    if (!e) {
      e = {
        from: t.from,
        to: t.to,
        a: fromNode(t.from),
        b: toNode(t.from, t.to),
        rows: [],
        figure5: false,
        taken: new Map(),
      };
      map.set(k, e);
    }
    e.rows.push(t);
    if (t.figure5) e.figure5 = true;
  }
  paths.forEach((p, pi) => {
    for (let i = 1; i < p.states.length; i++) {
      const e = map.get(`${p.states[i - 1]}>${p.states[i]}`);
      if (!e) continue;
      const steps = e.taken.get(pi) ?? [];
      steps.push(i);
      e.taken.set(pi, steps);
    }
  });
  return [...map.values()];
}

/** The rows an edge is labelled with: Figure 5's when it has one, else all of them. */
function shownRows(e: Edge, all: boolean): Transition[] {
  return all || !e.figure5 ? e.rows : e.rows.filter((r) => r.figure5);
}

export function renderStateDiagramSvg(opts: StateDiagramOptions = {}): string {
  const paths = opts.paths ?? [];
  const W = 920;
  const top = opts.title ? 60 : 30;
  const colX = [170, 460, 750];
  const rowY = (r: number): number => top + 30 + r * 100;
  const pos = (n: NodeId): [number, number] => {
    const [c, r] = GRID[n];
    return [colX[c] as number, rowY(r)];
  };
  const edges = edgesOf(paths).filter((e) => opts.all || e.figure5 || e.taken.size > 0);
  const visited = new Map<NodeId, number>();
  paths.forEach((p, pi) => {
    p.states.forEach((s, i) => {
      const n = i === 0 ? fromNode(s) : toNode(p.states[i - 1] as TcpState, s);
      if (!visited.has(n)) visited.set(n, pi);
    });
  });
  const pairs = new Set(edges.map((e) => `${e.a}>${e.b}`));
  const nodeIds = Object.keys(GRID) as NodeId[];
  /** True when the straight segment passes through a node other than its ends. */
  const blocked = (a: NodeId, b: NodeId): boolean => {
    const [x1, y1] = pos(a);
    const [x2, y2] = pos(b);
    return nodeIds.some((n) => {
      if (n === a || n === b) return false;
      const [x, y] = pos(n);
      for (let k = 1; k < 20; k++) {
        const px_ = x1 + ((x2 - x1) * k) / 20;
        const py = y1 + ((y2 - y1) * k) / 20;
        if (Math.abs(px_ - x) < NODE_W / 2 + 4 && Math.abs(py - y) < NODE_H / 2 + 4) return true;
      }
      return false;
    });
  };
  /** Where the segment from the centre of `n` toward (x, y) leaves its box. */
  const clip = (n: NodeId, x: number, y: number): [number, number] => {
    const [cx, cy] = pos(n);
    const dx = x - cx;
    const dy = y - cy;
    const s = Math.min(
      dx === 0 ? Infinity : (NODE_W / 2 + 2) / Math.abs(dx),
      dy === 0 ? Infinity : (NODE_H / 2 + 2) / Math.abs(dy),
    );
    return [cx + dx * s, cy + dy * s];
  };
  const out: string[] = [];
  const labels: string[] = [];
  for (const e of edges) {
    const [ax, ay] = pos(e.a);
    const [bx, by] = pos(e.b);
    // Curve an edge when its reverse is drawn too, or when it would cross a box.
    let bend = pairs.has(`${e.b}>${e.a}`) ? 28 : 0;
    if (blocked(e.a, e.b)) bend = 70;
    const mx = (ax + bx) / 2;
    const my = (ay + by) / 2;
    const len = Math.hypot(bx - ax, by - ay) || 1;
    const nx = -(by - ay) / len;
    const ny = (bx - ax) / len;
    const cx = mx + nx * bend;
    const cy = my + ny * bend;
    const [sx, sy] = clip(e.a, bend ? cx : bx, bend ? cy : by);
    const [tx, ty] = clip(e.b, bend ? cx : ax, bend ? cy : ay);
    const d = bend
      ? `M${px(sx)} ${px(sy)}Q${px(cx)} ${px(cy)} ${px(tx)} ${px(ty)}`
      : `M${px(sx)} ${px(sy)}L${px(tx)} ${px(ty)}`;
    const title = e.rows
      .map((r) => `${r.from} → ${r.to}: ${r.event}${r.action ? ` / ${r.action}` : ''} (${r.rfc})`)
      .join('\n');
    out.push(
      `<path class="edge${e.figure5 ? '' : ' extra'}" d="${d}" marker-end="url(#arrow)"><title>${esc(title)}</title></path>`,
    );
    let k = 0;
    for (const [pi] of e.taken) {
      const color = PATH_COLORS[pi % PATH_COLORS.length] as string;
      const off = (k++ - (e.taken.size - 1) / 2) * 4;
      out.push(
        `<path class="taken" d="${d}" stroke="${color}" transform="translate(${px(nx * off)} ${px(ny * off)})" marker-end="url(#arrow-${pi % PATH_COLORS.length})"/>`,
      );
    }
    // Label at the curve's midpoint (a quadratic's midpoint is halfway between chord and control).
    let lx = bend ? (mx + cx) / 2 : mx;
    const ly = bend ? (my + cy) / 2 : my;
    // Beside a steep curved edge, the label goes on the outside of the curve.
    let anchor = 'middle';
    if (bend && Math.abs(nx) > 0.5) {
      anchor = nx > 0 ? 'start' : 'end';
      lx += Math.sign(nx) * 6;
    }
    const fig = shownRows(e, opts.all === true);
    const eventText = [...new Set(fig.map((r) => r.event))].join(' | ');
    const actionText = [...new Set(fig.map((r) => r.action).filter((a) => a !== ''))].join(' | ');
    const steps = [...e.taken]
      .map(
        ([pi, s]) =>
          `<tspan fill="${PATH_COLORS[pi % PATH_COLORS.length]}" font-weight="700">${s.join(',')}</tspan>`,
      )
      .join(' ');
    labels.push(
      `<text class="elabel${e.figure5 ? '' : ' extra'}" x="${px(lx)}" y="${px(ly - 2)}" text-anchor="${anchor}">${steps ? `${steps} ` : ''}${esc(eventText)}</text>`,
    );
    if (actionText)
      labels.push(
        `<text class="elabel action" x="${px(lx)}" y="${px(ly + 11)}" text-anchor="${anchor}">${esc(actionText)}</text>`,
      );
  }
  const nodes = nodeIds.map((n) => {
    const [x, y] = pos(n);
    const name = n.startsWith('CLOSED') ? 'CLOSED' : n;
    const pi = visited.get(n);
    const fill =
      pi === undefined
        ? ''
        : ` style="stroke:${PATH_COLORS[pi % PATH_COLORS.length]};stroke-width:2.5"`;
    return (
      `<rect class="node${pi === undefined ? '' : ' visited'}" x="${px(x - NODE_W / 2)}" y="${px(y - NODE_H / 2)}" width="${NODE_W}" height="${NODE_H}" rx="17"${fill}/>` +
      `<text class="nlabel" x="${px(x)}" y="${px(y + 5)}">${name}</text>`
    );
  });
  let H = rowY(6) + 60;
  const legend: string[] = [];
  paths.forEach((p, pi) => {
    const c = PATH_COLORS[pi % PATH_COLORS.length] as string;
    legend.push(
      `<line x1="20" y1="${H - 4}" x2="50" y2="${H - 4}" stroke="${c}" stroke-width="4"/><text class="legend" x="58" y="${H}">${esc(p.label)}: ${esc(p.states.join(' → '))}</text>`,
    );
    H += 20;
  });
  legend.push(
    `<text class="legend dim" x="20" y="${H}">Generated from src/tcp/transitions.ts: solid arrows are RFC 9293 Figure 5, dashed ones the resets, aborts and timeouts of §3.8.3, §3.10.</text>`,
  );
  H += 20;
  const markers = [
    `<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="#607d8b"/></marker>`,
    ...PATH_COLORS.map(
      (c, i) =>
        `<marker id="arrow-${i}" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="11" markerHeight="11" orient="auto-start-reverse"><path d="M0 0L10 5L0 10z" fill="${c}"/></marker>`,
    ),
  ].join('');
  const style = [
    `text{font-family:ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;fill:#263238}`,
    `.title{font-size:16px;font-weight:600}`,
    `.node{fill:#eceff1;stroke:#78909c;stroke-width:1.5}.node.visited{fill:#fce4ec}`,
    `.nlabel{font-size:13px;font-weight:700;text-anchor:middle;font-family:ui-monospace,Menlo,Consolas,monospace}`,
    `.edge{fill:none;stroke:#90a4ae;stroke-width:1.4}.edge.extra{stroke-dasharray:5 4}`,
    `.taken{fill:none;stroke-width:3.5;opacity:.85}`,
    `.elabel{font-size:10.5px;paint-order:stroke;stroke:#fff;stroke-width:3px;fill:#37474f}`,
    `.elabel.action{fill:#78909c;font-style:italic}.elabel.extra{fill:#90a4ae}`,
    `.legend{font-size:12px}.dim{fill:#78909c}`,
  ].join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="TCP state diagram">\n` +
    `<title>${esc(opts.title ?? 'TCP state diagram (RFC 9293)')}</title>\n` +
    `<defs>${markers}</defs>\n<style>${style}</style>\n<rect width="100%" height="100%" fill="#fff"/>\n` +
    (opts.title ? `<text class="title" x="20" y="30">${esc(opts.title)}</text>\n` : '') +
    out.join('\n') +
    '\n' +
    nodes.join('\n') +
    '\n' +
    labels.join('\n') +
    '\n' +
    legend.join('\n') +
    '\n</svg>\n'
  );
}

const mid = (s: TcpState): string => s.replace(/-/g, '_');

/** Mermaid `stateDiagram-v2` of the same table; taken transitions carry their step numbers. */
export function renderStateDiagramMermaid(opts: StateDiagramOptions = {}): string {
  const paths = opts.paths ?? [];
  const out = ['stateDiagram-v2'];
  for (const s of TCP_STATES) if (s.includes('-')) out.push(`  state "${s}" as ${mid(s)}`);
  out.push(`  [*] --> CLOSED`);
  for (const e of edgesOf(paths)) {
    if (!opts.all && !e.figure5 && e.taken.size === 0) continue;
    const rows = shownRows(e, opts.all === true);
    const label = [
      ...new Set(rows.map((r) => (r.action ? `${r.event} / ${r.action}` : r.event))),
    ].join(' | ');
    const steps = [...e.taken]
      .map(([pi, s]) => `${paths[pi]?.label ?? pi} ${s.join(',')}`)
      .join(', ');
    out.push(
      `  ${mid(e.from)} --> ${mid(e.to)}: ${steps ? `[${steps}] ` : ''}${label.replace(/[;#:]/g, ' ')}`,
    );
  }
  const visited = new Set(paths.flatMap((p) => p.states));
  if (visited.size > 0) {
    out.push('  classDef taken fill:#fce4ec,stroke:#d81b60,stroke-width:2px');
    out.push(`  class ${[...visited].map(mid).join(',')} taken`);
  }
  return out.join('\n') + '\n';
}
