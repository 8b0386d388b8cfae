import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TRANSITIONS } from '../../src/tcp/transitions.js';
import { TCP_STATES } from '../../src/tcp/state.js';
import {
  pathsOf,
  renderStateDiagramMermaid,
  renderStateDiagramSvg,
} from '../../src/trace/state-diagram.js';
import { buildLadder } from '../../src/trace/ladder.js';
import { fullConnection } from './synthetic.js';

const mid = (s: string): string => s.replace(/-/g, '_');

describe('state diagram', () => {
  test('Mermaid: every Figure 5 transition of the engine’s table is an edge, with its event', () => {
    const m = renderStateDiagramMermaid();
    assert.ok(m.startsWith('stateDiagram-v2\n'));
    for (const t of TRANSITIONS.filter((x) => x.figure5)) {
      const line = m.split('\n').find((x) => x.startsWith(`  ${mid(t.from)} --> ${mid(t.to)}: `));
      assert.ok(line, `${t.from} → ${t.to} missing`);
      assert.ok(line.includes(t.event.replace(/[;#:]/g, ' ')), `${t.from} → ${t.to}: ${t.event}`);
    }
    // The prose-only arrows (resets, aborts, timeouts) appear with `all`.
    const all = renderStateDiagramMermaid({ all: true });
    const pairs = new Set(TRANSITIONS.map((t) => `${t.from}>${t.to}`));
    const edges = all.split('\n').filter((x) => x.includes(' --> ') && !x.includes('[*]'));
    assert.equal(edges.length, pairs.size);
  });

  test('Mermaid: a path’s transitions carry their step numbers, its states a class', () => {
    const l = buildLadder(fullConnection(), { lanes: ['client', 'server'] });
    const m = renderStateDiagramMermaid({ paths: pathsOf(l) });
    assert.match(m, / {2}CLOSED --> SYN_SENT: \[client 1\] active OPEN \/ snd SYN/);
    assert.match(m, / {2}FIN_WAIT_2 --> TIME_WAIT: \[client 5\] rcv FIN \/ snd ACK/);
    assert.match(m, / {2}LISTEN --> SYN_RECEIVED: \[server 1\] rcv SYN \/ snd SYN,ACK/);
    assert.match(m, / {2}TIME_WAIT --> CLOSED: \[client 6\] Timeout=2MSL/);
    assert.match(m, /class .*TIME_WAIT.* taken/);
  });

  test('SVG: a node per state (CLOSED twice, as in Figure 5), edges from the table, path highlighted', () => {
    const l = buildLadder(fullConnection(), { lanes: ['client', 'server'] });
    const svg = renderStateDiagramSvg({ paths: pathsOf(l), title: 'test' });
    for (const s of TCP_STATES) {
      const n = (svg.match(new RegExp(`class="nlabel"[^>]*>${s}</text>`, 'g')) ?? []).length;
      assert.equal(n, s === 'CLOSED' ? 2 : 1, s);
    }
    const fig5Pairs = new Set(TRANSITIONS.filter((t) => t.figure5).map((t) => `${t.from}>${t.to}`));
    assert.equal((svg.match(/<path class="edge"/g) ?? []).length, fig5Pairs.size);
    // Client: 6 transitions, server: 5 — each drawn as a highlighted overlay.
    assert.equal((svg.match(/<path class="taken"/g) ?? []).length, 11);
    assert.match(
      svg,
      /client: CLOSED → SYN-SENT → ESTABLISHED → FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT → CLOSED/,
    );
    assert.match(
      svg,
      /<title>SYN-SENT → ESTABLISHED: rcv SYN,ACK \/ snd ACK \(§3\.10\.7\.3\)<\/title>/,
    );
  });

  test('SVG: a reset path draws the prose-only arrow it took, dashed', () => {
    const svg = renderStateDiagramSvg({
      paths: [{ label: 'x', states: ['ESTABLISHED', 'CLOSED'] }],
    });
    assert.match(svg, /<path class="edge extra"[^>]*><title>ESTABLISHED → CLOSED: rcv RST/);
    const plain = renderStateDiagramSvg();
    assert.ok(!plain.includes('ESTABLISHED → CLOSED'));
  });
});
