import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLadder, arrowsOf, type Arrow } from '../../src/trace/ladder.js';
import { renderLadderText } from '../../src/trace/ladder-text.js';
import { renderLadderSvg } from '../../src/trace/ladder-svg.js';
import { renderLadderMermaid } from '../../src/trace/ladder-mermaid.js';
import { explainLadder } from '../../src/trace/explain.js';
import { summarize } from '../../src/trace/summary.js';
import { TcpFlag } from '../../src/wire/tcp-segment.js';
import { fullConnection, seg, TraceBuilder, C_ISN, S_ISN } from './synthetic.js';

const MISSION_CLIENT = [
  'CLOSED',
  'SYN-SENT',
  'ESTABLISHED',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'TIME-WAIT',
  'CLOSED',
];
const MISSION_SERVER = [
  'LISTEN',
  'SYN-RECEIVED',
  'ESTABLISHED',
  'CLOSE-WAIT',
  'LAST-ACK',
  'CLOSED',
];

function label(a: Arrow): string {
  return `${a.from}>${a.to} ${a.view.flags.join(',')} ${a.view.relSeq}/${a.view.relAck}/${a.view.len} ${a.fate}`;
}

/** Checks that an SVG string is well-formed enough: every opened element is closed, in order. */
function assertBalancedXml(svg: string): void {
  const stack: string[] = [];
  const re = /<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g;
  for (let m = re.exec(svg); m; m = re.exec(svg)) {
    const [, close, name, , self] = m;
    if (self === '/') continue;
    if (close === '/') assert.equal(stack.pop(), name, `</${name}> closes the wrong element`);
    else stack.push(name as string);
  }
  assert.deepEqual(stack, [], 'unclosed elements');
  assert.ok(!/&(?!amp;|lt;|gt;|quot;|#39;)/.test(svg), 'unescaped &');
}

describe('ladder model', () => {
  test('full connection → two lanes, 9 delivered arrows, both missions in the lanes’ states', () => {
    const l = buildLadder(fullConnection(), { lanes: ['client', 'server'] });
    assert.deepEqual(
      l.lanes.map((x) => x.host),
      ['client', 'server'],
    );
    assert.deepEqual(l.lanes[0]?.states, MISSION_CLIENT);
    assert.deepEqual(l.lanes[1]?.states, MISSION_SERVER);
    assert.deepEqual(l.lanes[0]?.endpoints, ['198.18.0.1:40000']);
    assert.deepEqual(arrowsOf(l).map(label), [
      '0>1 SYN 0/0/0 delivered',
      '1>0 SYN,ACK 0/1/0 delivered',
      '0>1 ACK 1/1/0 delivered',
      '0>1 PSH,ACK 1/1/100 delivered',
      '1>0 PSH,ACK 1/101/300 delivered',
      '0>1 FIN,ACK 101/301/0 delivered',
      '1>0 ACK 301/102/0 delivered',
      '1>0 FIN,ACK 301/102/0 delivered',
      '0>1 ACK 102/302/0 delivered',
    ]);
    const a = arrowsOf(l);
    // State changes sit on the arrow that caused them (or that the call sent).
    assert.deepEqual(
      a[0]?.before.map((m) => m.to),
      ['SYN-SENT'],
    );
    assert.deepEqual(
      a[0]?.after.map((m) => m.to),
      ['SYN-RECEIVED'],
    );
    assert.deepEqual(
      a[1]?.after.map((m) => m.to),
      ['ESTABLISHED'],
    );
    assert.deepEqual(
      a[5]?.before.map((m) => m.to),
      ['FIN-WAIT-1'],
    );
    assert.deepEqual(
      a[7]?.before.map((m) => m.to),
      ['LAST-ACK'],
    );
    assert.deepEqual(
      a[8]?.after.map((m) => m.to),
      ['CLOSED'],
    );
    // The TIME-WAIT timer's change stands alone, last.
    const last = l.steps[l.steps.length - 1];
    assert.equal(last?.kind, 'state');
    assert.equal(last?.kind === 'state' && last.marks[0]?.to, 'CLOSED');
    assert.equal(a[0]?.tSend, 0);
    assert.equal(a[0]?.tEnd, 10);
    assert.deepEqual(l.stats[0], { sent: 5, retransmitted: 0, bytes: 100, lost: 0, dropped: 0 });
    assert.deepEqual(l.stats[1], { sent: 4, retransmitted: 0, bytes: 300, lost: 0, dropped: 0 });
    assert.equal(l.end - l.start, 60_061);
  });

  test('SYN dropped by the link → arrow lost, its resend marked retransmission', () => {
    const l = buildLadder(fullConnection({ synLost: true }));
    const a = arrowsOf(l);
    assert.equal(a[0]?.fate, 'lost');
    assert.equal(a[0]?.reason, 'loss');
    assert.equal(a[0]?.retransmission, false);
    assert.equal(a[1]?.fate, 'delivered');
    assert.equal(a[1]?.retransmission, true);
    assert.equal(a[1]?.tSend, 1000);
    assert.deepEqual(l.stats[0], { sent: 6, retransmitted: 1, bytes: 100, lost: 1, dropped: 0 });
  });

  test('segment received then refused by the engine → fate dropped with the reason', () => {
    const b = new TraceBuilder();
    const bad = seg('c', TcpFlag.ACK, 999_999, S_ISN + 1);
    b.hop(0, bad, 'c').drop(10, bad, 'c', 'server', 'not-acceptable');
    const dup = seg('c', TcpFlag.ACK | TcpFlag.FIN, C_ISN, S_ISN);
    b.hop(20, dup, 'c').drop(30, dup, 'c', 'server', 'duplicate');
    const a = arrowsOf(buildLadder(b.events));
    assert.equal(a[0]?.fate, 'dropped');
    assert.equal(a[0]?.reason, 'not-acceptable');
    // Entirely old data is ACKed again, not refused.
    assert.equal(a[1]?.fate, 'delivered');
    assert.equal(a[1]?.reason, 'duplicate');
  });

  test('send with no receive record → in-flight; receive with no send → arrow from the source endpoint', () => {
    const b = new TraceBuilder();
    b.send(0, seg('c', TcpFlag.SYN, C_ISN, 0), 'c');
    b.recv(5, seg('s', TcpFlag.RST | TcpFlag.ACK, 0, C_ISN + 1), 's');
    const l = buildLadder(b.events);
    const a = arrowsOf(l);
    assert.equal(a[0]?.fate, 'in-flight');
    assert.equal(a[1]?.fate, 'delivered');
    // The server never speaks in this trace: its column is named by its endpoint.
    assert.equal(l.lanes[a[1]?.from ?? -1]?.host, '198.18.0.2:80');
    assert.equal(a[0]?.to, a[1]?.from);
    assert.equal(l.lanes[a[1]?.to ?? -1]?.host, 'client');
  });

  test('empty trace → no lanes, text says so', () => {
    const l = buildLadder([]);
    assert.equal(l.lanes.length, 0);
    assert.match(renderLadderText(l), /no TCP segments/);
  });
});

describe('terminal ladder', () => {
  const l = buildLadder(fullConnection({ synLost: true }), { lanes: ['client', 'server'] });

  test('unicode: arrows slant over two rows, states beside the columns, lost SYN ends in ✕', () => {
    const text = renderLadderText(l, { width: 100 });
    const lines = text.split('\n');
    for (const line of lines) assert.ok([...line].length <= 100, `too wide: ${line}`);
    const i = lines.findIndex((x) => x.includes('SYN-SENT ├─ SYN seq=0 mss=1460 '));
    assert.ok(i > 0, text);
    assert.match(lines[i] as string, /╮ +│$/);
    assert.match(lines[i + 1] as string, /╰─+✕ lost/);
    const j = lines.findIndex((x) => x.includes('SYN seq=0 mss=1460 (retransmission)'));
    assert.match(lines[j + 1] as string, /^ +1010\.000 +│ +╰─+▶│ SYN-RECEIVED$/);
    assert.ok(
      lines.some((x) => /^ +1020\.000 +ESTABLISHED │◀─+╯ +│$/.test(x)),
      text,
    );
    assert.ok(
      lines.some((x) => /61061\.000 +CLOSED │ · time-wait timer/.test(x)),
      text,
    );
    assert.match(
      text,
      /states +client CLOSED → SYN-SENT → ESTABLISHED → FIN-WAIT-1 → FIN-WAIT-2 → TIME-WAIT → CLOSED/,
    );
    assert.match(
      text,
      /server LISTEN → SYN-RECEIVED → ESTABLISHED → CLOSE-WAIT → LAST-ACK → CLOSED/,
    );
    assert.match(text, /client +sent 6 \(1 retransmitted, 1 lost\)/);
    assert.match(text, /bytes +client → server 100, server → client 300/);
    assert.match(text, /duration +61\.061 s/);
    assert.ok(!text.includes('\x1b['), 'no colour unless asked');
  });

  test('--ascii: only ASCII characters, same structure', () => {
    const text = renderLadderText(l, { ascii: true, explain: true, title: ['synack · test ⇄'] });
    assert.ok(/^[\x20-\x7e\n]*$/.test(text), 'non-ASCII character in ASCII output');
    assert.match(text, /SYN-SENT \|- SYN seq=0 mss=1460 -+\. +\|/);
    assert.match(text, /'-+X lost/);
    assert.match(text, /synack \. test <->/);
  });

  test('colour: ANSI SGR codes, every one reset', () => {
    const text = renderLadderText(l, { color: true });
    assert.ok(text.includes('\x1b[32m'), 'SYN in green');
    assert.ok(text.includes('\x1b[1;31m'), 'loss in bold red');
    const esc = String.fromCharCode(27);
    const opens = text
      .split(esc)
      .slice(1)
      .filter((x) => !x.startsWith('[0m')).length;
    const resets = text.split(`${esc}[0m`).length - 1;
    assert.equal(opens, resets);
  });

  test('--explain: the learner’s line under each arrow', () => {
    const text = renderLadderText(l, { explain: true, width: 100 });
    assert.match(text, /↳ SYN: client opens; seq 1000 is its random ISN/);
    const ex = [...explainLadder(l).values()];
    assert.ok(
      ex.some((x) =>
        x.includes(
          "ack=1 = client's ISN + 1 (1000 + 1 = 1001 on the wire): the SYN counts as one byte",
        ),
      ),
    );
    assert.ok(
      ex.some((x) =>
        x.startsWith(
          "ack=1 = server's ISN + 1 (5000 + 1 = 5001 on the wire): the third segment of the handshake",
        ),
      ),
    );
  });

  test('--absolute: sequence numbers as on the wire', () => {
    const text = renderLadderText(l, { absolute: true });
    assert.match(text, /SYN seq=1000 mss=1460/);
    assert.match(text, /SYN,ACK seq=5000 ack=1001 mss=1460/);
  });

  test('three hosts → three columns, states beside each, nothing wider than asked', () => {
    const b = new TraceBuilder();
    b.hop(0, seg('c', TcpFlag.SYN, C_ISN, 0), 'c');
    b.events.push({
      type: 'segment',
      t: 5,
      host: 'third',
      event: 'send',
      src: '198.18.0.3:7',
      dst: '198.18.0.2:80',
      segment: seg('c', TcpFlag.SYN, 1, 0),
    });
    b.events.push({
      type: 'state',
      t: 5,
      host: 'third',
      conn: {
        localAddress: '198.18.0.3',
        localPort: 7,
        remoteAddress: '198.18.0.2',
        remotePort: 80,
      },
      from: 'CLOSED',
      to: 'SYN-SENT',
      cause: { kind: 'call', call: 'open' },
    });
    const l3 = buildLadder(b.events);
    assert.deepEqual(
      l3.lanes.map((x) => x.host),
      ['client', 'third', 'server'],
    );
    const text = renderLadderText(l3, { width: 90 });
    for (const line of text.split('\n')) assert.ok([...line].length <= 90, line);
    assert.match(text, /│ SYN-SENT/);
  });

  test('narrow width → long labels cut with an ellipsis, nothing wider than asked', () => {
    const text = renderLadderText(l, { width: 60, explain: true });
    for (const line of text.split('\n')) assert.ok([...line].length <= 60, line);
  });
});

describe('explanations', () => {
  test('duplicate ACKs counted, third one followed by a fast retransmit', () => {
    const b = new TraceBuilder();
    const { ACK } = TcpFlag;
    b.hop(0, seg('s', ACK, S_ISN + 1, C_ISN + 1, 100), 's');
    b.send(1, seg('s', ACK, S_ISN + 101, C_ISN + 1, 100), 's').drop(
      2,
      seg('s', ACK, S_ISN + 101, C_ISN + 1, 100),
      's',
      'net',
      'loss',
    );
    for (let i = 0; i < 3; i++)
      b.hop(2 + i, seg('s', ACK, S_ISN + 201 + 100 * i, C_ISN + 1, 100), 's');
    b.hop(10, seg('c', ACK, C_ISN + 1, S_ISN + 101), 'c');
    for (let i = 0; i < 3; i++) b.hop(13 + i, seg('c', ACK, C_ISN + 1, S_ISN + 101), 'c');
    b.hop(30, seg('s', ACK, S_ISN + 101, C_ISN + 1, 100), 's');
    // Relative numbers need the ISNs: give both SYNs first.
    const syns = new TraceBuilder();
    syns
      .hop(-20, seg('c', TcpFlag.SYN, C_ISN, 0), 'c')
      .hop(-10, seg('s', TcpFlag.SYN | ACK, S_ISN, C_ISN + 1), 's');
    const l = buildLadder([...syns.events, ...b.events]);
    const ex = [...explainLadder(l).values()];
    assert.ok(
      ex.some((x) => x.startsWith('duplicate ACK #3: client still expects byte 101')),
      ex.join('\n'),
    );
    assert.ok(
      ex.some((x) =>
        x.startsWith(
          'fast retransmit: 3 duplicate ACKs for 101 mean byte 101 was lost (RFC 5681 §3.2)',
        ),
      ),
      ex.join('\n'),
    );
  });

  test('zero window → explained, with the persist timer', () => {
    const b = new TraceBuilder();
    b.hop(0, seg('c', TcpFlag.ACK, C_ISN + 1, S_ISN + 1, 0, { window: 0 }), 'c');
    const ex = [...explainLadder(buildLadder(b.events)).values()];
    assert.match(ex[0] as string, /win=0: client's receive buffer is full/);
  });
});

describe('SVG ladder', () => {
  test('standalone, well-formed, with legend, lanes, states, a cross for the lost SYN and hover titles', () => {
    const l = buildLadder(fullConnection({ synLost: true }), { lanes: ['client', 'server'] });
    const svg = renderLadderSvg(l, { title: ['handshake & more <test>'], explain: true });
    assertBalancedXml(svg);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="900"/);
    assert.ok(svg.includes('handshake &amp; more &lt;test&gt;'));
    assert.ok(!/(href|src)="http/.test(svg), 'no external resources');
    assert.equal(
      (svg.match(/<g class="arrow /g) ?? []).length,
      10 + 6,
      '10 arrows + 6 legend samples',
    );
    assert.equal((svg.match(/class="cross"/g) ?? []).length, 2, 'the lost SYN and the legend');
    for (const s of ['CLOSED', 'SYN-SENT', 'LISTEN', 'SYN-RECEIVED', 'TIME-WAIT', 'LAST-ACK']) {
      assert.ok(svg.includes(`>${s}</text></g>`), s);
    }
    assert.match(svg, /<title>#1 SYN seq=0 mss=1460 — lost \(loss\)\nSYN: client opens/);
    assert.match(svg, /class="explain"/);
    assert.match(svg, /ACK only/);
  });
});

describe('Mermaid ladder', () => {
  test('sequenceDiagram with participants, ->> for delivered, -x for lost, notes for states', () => {
    const l = buildLadder(fullConnection({ synLost: true }), { lanes: ['client', 'server'] });
    const m = renderLadderMermaid(l);
    const lines = m.trim().split('\n');
    assert.equal(lines[0], 'sequenceDiagram');
    assert.equal(lines[1], '  participant H0 as client<br/>198.18.0.1:40000');
    assert.equal(lines[2], '  participant H1 as server<br/>198.18.0.2:80');
    assert.equal(lines[3], '  Note over H0: CLOSED');
    assert.equal(lines[4], '  Note over H1: LISTEN');
    assert.equal(lines[5], '  Note over H0: SYN-SENT');
    assert.equal(lines[6], '  H0-xH1: SYN seq=0 mss=1460 — lost');
    assert.equal(lines[7], '  H0->>H1: SYN seq=0 mss=1460 (retransmission)');
    assert.equal(lines[8], '  Note over H1: SYN-RECEIVED');
    assert.equal(lines[lines.length - 1], '  Note over H0: CLOSED (time-wait timer)');
    assert.ok(!lines.slice(1).some((x) => x.includes(';')), 'no statement separators in text');
  });
});

describe('summary', () => {
  test('lines: states per side, segments, bytes, duration', () => {
    const s = summarize(buildLadder(fullConnection(), { lanes: ['client', 'server'] }));
    assert.deepEqual(
      s.map((x) => x.key),
      ['states', 'states', 'segments', 'segments', 'bytes', 'duration'],
    );
    assert.equal(s[2]?.value, 'client sent 5');
    assert.equal(s[5]?.value, '60.061 s');
  });
});
