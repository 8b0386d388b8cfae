/**
 * Every demo scenario is a test: run on the real stack and the simulated network (virtual time),
 * its states (each side's column, and each connection's own sequence) and its segments' flags are
 * asserted, and the bytes each side read are compared with what the other wrote (SHA-256).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCENARIOS, findScenario } from '../../src/scenarios/catalog.js';
import { runScenario, type ScenarioRun } from '../../src/scenarios/scenario.js';
import { arrowsOf, type Arrow } from '../../src/trace/ladder.js';
import { explainLadder } from '../../src/trace/explain.js';
import { pcapFromEvents } from '../../src/trace/events-pcap.js';
import { traceFromCapture } from '../../src/trace/capture-trace.js';
import { renderLadderText } from '../../src/trace/ladder-text.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** "c:SYN", "s:PSH,ACK/1000", "c:ACK!lost", "s:FIN,ACK(rtx)" … */
function flags(r: ScenarioRun): string[] {
  return arrowsOf(r.ladder).map(
    (x: Arrow) =>
      `${x.from === 0 ? 'c' : 's'}:${x.view.flags.join(',')}${x.view.len ? `/${x.view.len}` : ''}` +
      `${x.fate !== 'delivered' ? `!${x.fate}` : ''}${x.retransmission ? '(rtx)' : ''}`,
  );
}

function run(name: string): ScenarioRun {
  const s = findScenario(name);
  assert.ok(s, name);
  const r = runScenario(s);
  assert.equal(r.idle, true, `${name}: the network went idle`);
  return r;
}

function assertStates(r: ScenarioRun): void {
  assert.deepEqual(r.ladder.lanes[0]?.states, r.scenario.expect.client, 'client column');
  assert.deepEqual(r.ladder.lanes[1]?.states ?? [], r.scenario.expect.server, 'server column');
}

/** Both directions delivered exactly what was written. */
function assertBytes(r: ScenarioRun): void {
  assert.equal(
    sha(r.serverPeer.bytesRead()),
    sha(r.clientPeer.bytesWritten()),
    'client → server bytes',
  );
  assert.equal(
    sha(r.clientPeer.bytesRead()),
    sha(r.serverPeer.bytesWritten()),
    'server → client bytes',
  );
  assert.equal(r.clientPeer.receivedBytes, r.params.bytes);
}

const HANDSHAKE = [
  'c:SYN',
  's:SYN,ACK',
  'c:ACK',
  'c:PSH,ACK/36',
  's:PSH,ACK/1000',
  'c:FIN,ACK',
  's:ACK',
  's:FIN,ACK',
  'c:ACK',
];

describe('scenarios', { timeout: 60_000 }, () => {
  test('handshake → the whole mission on both sides, 9 segments, bytes intact', () => {
    const r = run('handshake');
    assertStates(r);
    assert.deepEqual(r.ladder.lanes[0]?.states, [
      'CLOSED',
      'SYN-SENT',
      'ESTABLISHED',
      'FIN-WAIT-1',
      'FIN-WAIT-2',
      'TIME-WAIT',
      'CLOSED',
    ]);
    assert.deepEqual(r.ladder.lanes[1]?.states, [
      'LISTEN',
      'SYN-RECEIVED',
      'ESTABLISHED',
      'CLOSE-WAIT',
      'LAST-ACK',
      'CLOSED',
    ]);
    assert.deepEqual(flags(r), HANDSHAKE);
    assertBytes(r);
    // The engine's own per-connection sequences (the server's child starts CLOSED → LISTEN).
    const conns = r.ladder.connections.map((c) => `${c.host}: ${c.states.join(' ')}`);
    assert.deepEqual(conns, [
      'client: CLOSED SYN-SENT ESTABLISHED FIN-WAIT-1 FIN-WAIT-2 TIME-WAIT CLOSED',
      'server: CLOSED LISTEN SYN-RECEIVED ESTABLISHED CLOSE-WAIT LAST-ACK CLOSED',
    ]);
    // TIME-WAIT lasts 2·MSL (default MSL 30 s) after the last ACK.
    const tw = r.ladder.steps[r.ladder.steps.length - 1];
    assert.equal(tw?.kind, 'state');
    assert.ok(tw?.kind === 'state' && tw.marks[0]?.cause.kind === 'timer');
  });

  test('syn-lost → first SYN lost, the same SYN again one RTO (1 s) later', () => {
    const r = run('syn-lost');
    assertStates(r);
    assert.deepEqual(flags(r), ['c:SYN!lost', 'c:SYN(rtx)', ...HANDSHAKE.slice(1)]);
    const a = arrowsOf(r.ladder);
    assert.equal((a[1]?.tSend ?? 0) - (a[0]?.tSend ?? 0), 1000);
    assert.equal(a[1]?.view.seq, a[0]?.view.seq);
    assertBytes(r);
  });

  test('synack-lost → SYN-ACK lost; retransmissions recover; the late duplicate is refused', () => {
    const r = run('synack-lost');
    assertStates(r);
    const f = flags(r);
    assert.deepEqual(f.slice(0, 4), ['c:SYN', 's:SYN,ACK!lost', 'c:SYN(rtx)', 's:SYN,ACK(rtx)']);
    assert.ok(f.includes('s:PSH,ACK/1000'));
    assertBytes(r);
  });

  test('ack-lost → third ACK lost; the request’s ACK moves the server to ESTABLISHED', () => {
    const r = run('ack-lost');
    assertStates(r);
    assert.deepEqual(flags(r), ['c:SYN', 's:SYN,ACK', 'c:ACK!lost', ...HANDSHAKE.slice(3)]);
    const req = arrowsOf(r.ladder)[3];
    assert.deepEqual(
      req?.after.map((m) => `${m.from}>${m.to}`),
      ['SYN-RECEIVED>ESTABLISHED'],
    );
    assertBytes(r);
  });

  test('simultaneous-open → SYNs cross, SYN-RECEIVED on both sides, SYN,ACKs cross', () => {
    const r = run('simultaneous-open');
    assertStates(r);
    assert.deepEqual(flags(r), [
      'c:SYN',
      's:SYN',
      's:SYN,ACK',
      'c:SYN,ACK',
      'c:PSH,ACK/36',
      's:PSH,ACK/1000',
      'c:FIN,ACK',
      's:ACK',
      's:FIN,ACK',
      'c:ACK',
    ]);
    assertBytes(r);
  });

  test('simultaneous-close → FINs cross, both CLOSING then TIME-WAIT', () => {
    const r = run('simultaneous-close');
    assertStates(r);
    assert.deepEqual(flags(r), [
      ...HANDSHAKE.slice(0, 5),
      's:FIN,ACK',
      'c:FIN,ACK',
      's:ACK',
      'c:ACK',
    ]);
    assertBytes(r);
  });

  test('half-close → client FIN right after the request; server data keeps flowing in CLOSE-WAIT', () => {
    const r = run('half-close');
    assertStates(r);
    const f = flags(r);
    assert.deepEqual(f.slice(0, 5), ['c:SYN', 's:SYN,ACK', 'c:ACK', 'c:FIN,PSH,ACK/36', 's:ACK']);
    const a = arrowsOf(r.ladder);
    const closeWait = a.findIndex((x) => x.after.some((m) => m.to === 'CLOSE-WAIT'));
    const dataAfter = a.slice(closeWait + 1).filter((x) => x.from === 1 && x.view.len > 0);
    assert.equal(
      dataAfter.reduce((n, x) => n + x.view.len, 0),
      4000,
    );
    assertBytes(r);
  });

  test('refused → SYN answered by RST,ACK; the client’s open fails with refused', () => {
    const r = run('refused');
    assertStates(r);
    assert.deepEqual(flags(r), ['c:SYN!dropped', 's:RST,ACK']);
    assert.equal(arrowsOf(r.ladder)[0]?.reason, 'no-listener');
    assert.ok(
      typeof r.clientPeer.closedWith === 'object' && r.clientPeer.closedWith.code === 'refused',
    );
  });

  test('reset → client aborts mid-answer: RST, server CLOSED with reset, no FIN anywhere', () => {
    const r = run('reset');
    assertStates(r);
    const f = flags(r);
    assert.ok(!f.some((x) => x.includes('FIN')), f.join(' '));
    const firstRst = f.findIndex((x) => x.startsWith('c:RST'));
    assert.ok(firstRst > 0);
    assert.equal(f[firstRst], 'c:RST');
    assert.ok(
      typeof r.serverPeer.closedWith === 'object' && r.serverPeer.closedWith.code === 'reset',
    );
    assert.ok(
      typeof r.clientPeer.closedWith === 'object' && r.clientPeer.closedWith.code === 'aborted',
    );
  });

  test('fin-wait-2-timeout → client closed by its fin-wait-2 timer 5 s later; server stays CLOSE-WAIT', () => {
    const r = run('fin-wait-2-timeout');
    assertStates(r);
    assert.deepEqual(flags(r), HANDSHAKE.slice(0, 7));
    const last = r.ladder.steps[r.ladder.steps.length - 1];
    assert.ok(last?.kind === 'state');
    if (last?.kind === 'state') {
      assert.deepEqual(last.marks[0]?.cause, { kind: 'timer', timer: 'fin-wait-2' });
      const fw2 = arrowsOf(r.ladder)[6]?.after[0];
      assert.equal(fw2?.to, 'FIN-WAIT-2');
      assert.equal(last.t - (fw2?.t ?? 0), 5000);
    }
  });

  test('time-wait → last ACK lost, server repeats its FIN, TIME-WAIT ACKs it again', () => {
    const r = run('time-wait');
    assertStates(r);
    assert.deepEqual(flags(r), [...HANDSHAKE.slice(0, 8), 'c:ACK!lost', 's:FIN,ACK(rtx)', 'c:ACK']);
    const a = arrowsOf(r.ladder);
    assert.equal(a[9]?.reason, 'duplicate');
    assert.match(explainLadder(r.ladder).get(a[9] as Arrow) ?? '', /what TIME-WAIT is for/);
    assertBytes(r);
  });

  test('lossy-transfer → a fast retransmit after three duplicate ACKs, and an RTO retransmission', () => {
    const r = run('lossy-transfer');
    assertStates(r);
    const a = arrowsOf(r.ladder);
    assert.equal(a.filter((x) => x.fate === 'lost').length, 2);
    const rtx = a.filter((x) => x.retransmission);
    assert.ok(rtx.length >= 2, `${rtx.length} retransmissions`);
    const ex = explainLadder(r.ladder);
    assert.ok(
      rtx.some((x) => (ex.get(x) ?? '').startsWith('fast retransmit: ')),
      'a fast retransmit',
    );
    assert.ok(
      rtx.some((x) => (ex.get(x) ?? '').startsWith('retransmission of bytes')),
      'a timeout retransmission',
    );
    assertBytes(r);
  });

  test('zero-window → the client advertises win=0, the server probes, the transfer completes', () => {
    const r = run('zero-window');
    assertStates(r);
    const a = arrowsOf(r.ladder);
    assert.ok(
      a.some((x) => x.from === 0 && x.view.win === 0),
      'win=0 advertised',
    );
    const ex = explainLadder(r.ladder);
    assert.ok(
      a.some((x) => (ex.get(x) ?? '').startsWith('window probe')),
      'a window probe',
    );
    assertBytes(r);
  });

  test('every scenario: --loss/--seed/--bytes/--delay change the run, deterministically', () => {
    const s = findScenario('handshake');
    assert.ok(s);
    const a = runScenario(s, { seed: 7, bytes: 5000, delay: 25 });
    const b = runScenario(s, { seed: 7, bytes: 5000, delay: 25 });
    assert.equal(renderLadderText(a.ladder), renderLadderText(b.ladder));
    assert.equal(a.clientPeer.receivedBytes, 5000);
    assert.ok((arrowsOf(a.ladder)[0]?.tEnd ?? 0) >= 25);
    const lossy = runScenario(s, { seed: 3, loss: 0.2 });
    assert.ok(lossy.idle);
    assert.equal(sha(lossy.clientPeer.bytesRead()), sha(lossy.serverPeer.bytesWritten()));
  });

  test('each scenario’s pcap reads back: one packet per segment sent, same flags', () => {
    for (const s of SCENARIOS) {
      const r = runScenario(s);
      const ct = traceFromCapture(pcapFromEvents(r.events));
      const sent = r.events.filter((e) => e.type === 'segment' && e.event === 'send').length;
      assert.equal(ct.tcpPackets, sent, s.name);
    }
  });

  test('tshark opens the pcaps with no error-level expert finding (checksums checked)', (t) => {
    const probe = spawnSync('tshark', ['--version'], { encoding: 'utf8', timeout: 20_000 });
    if (probe.error || probe.status !== 0) {
      t.skip('tshark is not installed (CI installs it: apt-get install -y tshark)');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'synack-pcap-'));
    try {
      for (const name of ['handshake', 'lossy-transfer', 'reset']) {
        const r = run(name);
        const file = join(dir, `${name}.pcap`);
        writeFileSync(file, pcapFromEvents(r.events, Date.UTC(2026, 0, 1)));
        const res = spawnSync(
          'tshark',
          [
            '-r',
            file,
            '-o',
            'tcp.check_checksum:TRUE',
            '-o',
            'ip.check_checksum:TRUE',
            '-z',
            'expert',
            '-q',
          ],
          { encoding: 'utf8', timeout: 60_000 },
        );
        assert.equal(res.status, 0, `${name}: ${res.stderr}`);
        assert.doesNotMatch(res.stdout, /^Errors \(\d+\)/m, `${name}: ${res.stdout}`);
        assert.doesNotMatch(res.stderr, /appears to be damaged|corrupt|isn't a capture file/i);
        const list = spawnSync('tshark', ['-r', file], { encoding: 'utf8', timeout: 60_000 });
        const packets = list.stdout.trim().split('\n').length;
        assert.equal(
          packets,
          r.events.filter((e) => e.type === 'segment' && e.event === 'send').length,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
