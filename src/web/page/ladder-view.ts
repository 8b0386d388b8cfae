/**
 * The live ladder diagram as SVG: one column per host, an arrow per segment sloping down with
 * time (lost ones end in a cross, refused ones in a bar), flags and seq/ack/len on each arrow, each
 * side's state beside its column. Every arrow is a focusable button: click, or Tab then Enter.
 */
import { segmentLabel } from '../../trace/segment-view.js';
import type { Ladder } from '../../trace/ladder.js';
import { layoutLadder, NARROW, type ArrowGeometry, type LadderGeometry } from '../ladder-layout.js';
import { s, secs } from './dom.js';

export interface LadderViewOptions {
  relative: boolean;
  now: number;
  delay: number;
  selected: number | undefined;
  commands: readonly { lane: number; t: number; label: string }[];
  addresses: readonly string[];
}

const LANE_CLASS = ['client', 'server'];

/** A short, readable class for a state's colour. */
export function stateFamily(state: string): string {
  if (state === 'ESTABLISHED') return 'st-est';
  if (state === 'CLOSED') return 'st-closed';
  if (state === 'LISTEN' || state.startsWith('SYN')) return 'st-open';
  if (state === 'TIME-WAIT') return 'st-tw';
  return 'st-close';
}

function pill(
  x: number,
  y: number,
  text: string,
  side: 'left' | 'right' | 'center',
  cls: string,
  narrow: boolean,
): SVGElement {
  // A phone-width ladder has ~100 px beside each column: smaller pills fit "SYN-RECEIVED".
  const w = text.length * (narrow ? 6.1 : 7.2) + (narrow ? 8 : 14);
  const gap = narrow ? 4 : 10;
  const rx = side === 'left' ? x - gap - w : side === 'right' ? x + gap : x - w / 2;
  return s(
    'g',
    { class: `state ${cls}${narrow ? ' narrow' : ''}` },
    s('rect', { x: rx, y: y - 10, width: w, height: 19, rx: 9.5 }),
    s('text', { x: rx + w / 2, y: y + 4, 'text-anchor': 'middle' }, text),
  );
}

function arrowLabel(g: ArrowGeometry, relative: boolean, narrow = false): string {
  const v = g.arrow.view;
  if (narrow) {
    // Short form for a phone: flags, seq, and the payload length when there is one.
    const seq = relative ? v.relSeq : v.seq;
    return `${v.flags.join(',')} ${seq}${v.len > 0 ? `+${v.len}` : ''}${g.arrow.retransmission ? ' (re)' : ''}`;
  }
  const base = segmentLabel(v, { absolute: !relative });
  return g.arrow.retransmission ? `${base} (retransmission)` : base;
}

function describe(g: ArrowGeometry, lanes: readonly string[], relative: boolean): string {
  const a = g.arrow;
  const fate =
    a.fate === 'lost'
      ? 'lost'
      : a.fate === 'dropped'
        ? `not accepted (${a.reason ?? ''})`
        : a.fate === 'in-flight'
          ? 'in flight'
          : 'delivered';
  return `Segment ${a.n}, ${lanes[a.from]} to ${lanes[a.to]} at ${secs(a.tSend)}: ${arrowLabel(g, relative)}, ${fate}`;
}

function drawArrow(
  g: ArrowGeometry,
  o: LadderViewOptions,
  lanes: readonly string[],
  narrow: boolean,
  /** Where along the arrow its label sits (0.5: the middle). */
  at: number,
): SVGElement {
  const a = g.arrow;
  const cls = [
    'seg',
    LANE_CLASS[a.from] ?? 'other',
    g.end,
    a.retransmission ? 'retrans' : '',
    a.view.flags.includes('RST') ? 'rst' : '',
    o.selected === a.n ? 'selected' : '',
  ]
    .filter(Boolean)
    .join(' ');
  const group = s('g', {
    class: cls,
    tabindex: 0,
    role: 'button',
    'data-n': a.n,
    'data-fate': a.fate,
    'data-retransmission': a.retransmission ? 'true' : 'false',
    'data-flags': a.view.flags.join(','),
    'data-seq': a.view.seq,
    'data-len': a.view.len,
    'data-from': lanes[a.from],
    'aria-label': describe(g, lanes, o.relative),
    'aria-pressed': o.selected === a.n ? 'true' : 'false',
  });
  const dx = g.x2 - g.x1;
  const dy = g.y2 - g.y1;
  const len = Math.hypot(dx, dy) || 1;
  // A wide invisible band along the arrow makes it easy to click (and shows focus).
  const nx = (-dy / len) * 9;
  const ny = (dx / len) * 9;
  group.append(
    s('polygon', {
      class: 'hit',
      points: `${g.x1 + nx},${g.y1 + ny} ${g.x2 + nx},${g.y2 + ny} ${g.x2 - nx},${g.y2 - ny} ${g.x1 - nx},${g.y1 - ny}`,
    }),
  );
  group.append(
    s('line', {
      class: 'shaft',
      x1: g.x1,
      y1: g.y1,
      x2: g.x2,
      y2: g.y2,
      'marker-end': g.end === 'arrived' ? `url(#head-${LANE_CLASS[a.from] ?? 'other'})` : undefined,
    }),
  );
  if (g.end === 'lost') {
    const r = 6;
    group.append(
      s('path', {
        class: 'cross',
        d: `M${g.x2 - r},${g.y2 - r}L${g.x2 + r},${g.y2 + r}M${g.x2 + r},${g.y2 - r}L${g.x2 - r},${g.y2 + r}`,
      }),
    );
  } else if (g.end === 'dropped') {
    group.append(
      s('path', { class: 'bar', d: `M${g.x2 - 7 * (dy / len)},${g.y2 - 7}L${g.x2},${g.y2 + 7}` }),
    );
  } else if (g.end === 'flight') {
    group.append(s('circle', { class: 'packet', cx: g.x2, cy: g.y2, r: 4 }));
  }
  // The label rides along the arrow, upright, just above it.
  let angle = (Math.atan2(dy, dx) * 180) / Math.PI;
  if (angle > 90) angle -= 180;
  if (angle < -90) angle += 180;
  const mx = g.x1 + dx * at;
  const my = g.y1 + dy * at;
  const text = arrowLabel(g, o.relative, narrow);
  group.append(
    s(
      'text',
      {
        class: 'label',
        x: mx,
        y: my - 5,
        'text-anchor': 'middle',
        transform: `rotate(${angle.toFixed(2)} ${mx} ${my})`,
      },
      text,
    ),
  );
  group.append(s('title', {}, describe(g, lanes, o.relative)));
  return group;
}

/** Draws the whole ladder into `host`, replacing what was there. Returns the geometry drawn. */
export function renderLadder(
  host: HTMLElement,
  ladder: Ladder,
  o: LadderViewOptions,
): LadderGeometry {
  const width = Math.max(340, host.clientWidth - 2);
  const geo = layoutLadder(ladder, { width, now: o.now, delay: o.delay, commands: o.commands });
  const narrow = geo.width < NARROW;
  const lanes = ladder.lanes.map((l) => l.label);
  while (lanes.length < 2) lanes.push(LANE_CLASS[lanes.length] ?? '?');
  const svg = s('svg', {
    xmlns: 'http://www.w3.org/2000/svg',
    viewBox: `0 0 ${geo.width} ${geo.height}`,
    width: geo.width,
    height: geo.height,
    role: 'group',
    'aria-label': `Ladder diagram: ${ladder.steps.length} steps`,
  });
  const defs = s('defs');
  for (const c of [...LANE_CLASS, 'other']) {
    defs.append(
      s(
        'marker',
        {
          id: `head-${c}`,
          viewBox: '0 0 10 10',
          refX: 9,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto-start-reverse',
        },
        s('path', { d: 'M0,0L10,5L0,10z', class: `head ${c}` }),
      ),
    );
  }
  svg.append(defs);
  // Columns.
  geo.x.forEach((x, i) => {
    const cls = LANE_CLASS[i] ?? 'other';
    svg.append(s('line', { class: `lane ${cls}`, x1: x, y1: geo.top - 8, x2: x, y2: geo.nowY }));
    svg.append(
      s('text', { class: `col-head ${cls}`, x, y: 20, 'text-anchor': 'middle' }, lanes[i] ?? ''),
    );
    svg.append(
      s('text', { class: 'col-addr', x, y: 36, 'text-anchor': 'middle' }, o.addresses[i] ?? ''),
    );
    const initial = ladder.lanes[i]?.initial;
    if (initial)
      svg.append(pill(x, geo.initialY - 14, initial, 'center', stateFamily(initial), narrow));
  });
  // Time ticks on the left, thinned so they never overlap.
  let lastTickY = geo.width < NARROW ? Infinity : -Infinity;
  for (const t of geo.ticks) {
    if (t.y - lastTickY < 14 || t.y > geo.nowY - 16) continue;
    lastTickY = t.y;
    svg.append(s('text', { class: 'tick', x: 4, y: t.y + 3 }, secs(t.t)));
  }
  for (const b of geo.breaks) {
    svg.append(s('rect', { class: 'break', x: 0, y: b.y, width: geo.width, height: b.height }));
    svg.append(
      s(
        'text',
        {
          class: 'break-text',
          x: geo.width / 2,
          y: b.y + b.height / 2 + 4,
          'text-anchor': 'middle',
        },
        `⋯ ${secs(b.ms)} later ⋯`,
      ),
    );
  }
  for (const c of geo.commands) {
    const left = c.lane === 0;
    svg.append(
      s(
        'text',
        {
          class: 'command',
          x: c.x + (left ? 8 : -8),
          y: c.y + 4,
          'text-anchor': left ? 'start' : 'end',
        },
        c.label,
      ),
    );
  }
  // Arrows leaving one column close together (a burst of segments) are near-parallel: stagger
  // their labels along them so that they do not print over each other.
  const lastY = new Map<number, { y: number; k: number }>();
  const STAGGER = [0.5, 0.3, 0.7];
  for (const g of geo.arrows) {
    const prev = lastY.get(g.arrow.from);
    const k = prev && g.y1 - prev.y < 34 ? prev.k + 1 : 0;
    lastY.set(g.arrow.from, { y: g.y1, k });
    svg.append(drawArrow(g, o, lanes, narrow, STAGGER[k % STAGGER.length]!));
  }
  for (const st of geo.states) {
    svg.append(
      pill(st.x, st.y, st.state, st.lane === 0 ? 'left' : 'right', stateFamily(st.state), narrow),
    );
  }
  svg.append(s('line', { class: 'now', x1: 0, y1: geo.nowY, x2: geo.width, y2: geo.nowY }));
  svg.append(s('text', { class: 'tick now-text', x: 4, y: geo.nowY - 4 }, `now ${secs(o.now)}`));
  host.replaceChildren(svg);
  return geo;
}
