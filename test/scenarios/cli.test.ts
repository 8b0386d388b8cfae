/** `synack demo` and `synack trace` as a user runs them (the built bin/synack.js, stdout piped). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCapture } from '../../src/trace/pcap-reader.js';
import { parseNdjson } from '../../src/trace/ndjson.js';
import { SCENARIOS } from '../../src/scenarios/catalog.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const bin = join(root, 'bin/synack.js');

/** The summary's wrapped lines joined again. */
const unwrap = (s: string): string => s.replace(/ *\n {10,}/g, ' ');

function synack(...args: string[]): {
  status: number | null;
  stdout: string;
  stderr: string;
  raw: Buffer;
} {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: root,
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '' },
  });
  return {
    status: r.status,
    stdout: r.stdout.toString('utf8'),
    stderr: r.stderr.toString('utf8'),
    raw: r.stdout,
  };
}

describe('synack demo (CLI)', { timeout: 120_000 }, () => {
  test('no options, not a TTY → plain ASCII, header, ladder, summary, ≤ 100 columns', () => {
    const r = synack('demo');
    assert.equal(r.status, 0, r.stderr);
    assert.ok(/^[\x20-\x7e\n]*$/.test(r.stdout), 'plain ASCII when stdout is not a terminal');
    assert.ok(!r.stdout.includes('\x1b['), 'no colour when stdout is not a terminal');
    for (const line of r.stdout.split('\n')) assert.ok(line.length <= 100, line);
    assert.match(r.stdout, /^synack demo \. scenario handshake \. seed 1 \. loss 0 \. delay 10 ms/);
    assert.match(r.stdout, /client 198\.18\.0\.1 <-> server 198\.18\.0\.2:80/);
    assert.match(r.stdout, /SYN-SENT \|- SYN seq=0 mss=1460/);
    assert.match(
      unwrap(r.stdout),
      /states +client CLOSED -> SYN-SENT -> ESTABLISHED -> FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT -> CLOSED/,
    );
    assert.match(
      unwrap(r.stdout),
      /states +server LISTEN -> SYN-RECEIVED -> ESTABLISHED -> CLOSE-WAIT -> LAST-ACK -> CLOSED/,
    );
    assert.match(r.stdout, /bytes +client -> server 36, server -> client 1000/);
  });

  test('--unicode --explain → box drawing and a learner’s line per step', () => {
    const r = synack('demo', '--unicode', '--explain');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /├─ SYN seq=0 mss=1460/);
    assert.match(r.stdout, /↳ SYN-ACK: server's own ISN \d+; ack=1 = client's/);
  });

  test('--list → one line per scenario', () => {
    const r = synack('demo', '--list');
    assert.equal(r.status, 0);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, SCENARIOS.length);
    for (const name of [
      'handshake',
      'syn-lost',
      'synack-lost',
      'ack-lost',
      'simultaneous-open',
      'simultaneous-close',
      'half-close',
      'refused',
      'reset',
      'fin-wait-2-timeout',
      'time-wait',
      'lossy-transfer',
      'zero-window',
    ]) {
      assert.ok(
        lines.some((l) => l.trim().startsWith(name + ' ')),
        name,
      );
    }
  });

  test('--scenario NAME --format json → NDJSON of that scenario', () => {
    const r = synack('demo', '--scenario', 'syn-lost', '--format', 'json');
    assert.equal(r.status, 0, r.stderr);
    const events = parseNdjson(r.stdout);
    const lost = events.find((e) => e.type === 'segment' && e.event === 'drop' && e.host === 'net');
    assert.ok(lost, 'the lost SYN is in the trace');
    const first = JSON.parse(r.stdout.split('\n')[0] as string) as { t: number };
    assert.equal(first.t, 0);
  });

  test('--format pcap (stdout redirected) → a pcap with one packet per segment sent', () => {
    const r = synack('demo', '--format', 'pcap');
    assert.equal(r.status, 0, r.stderr);
    const cap = readCapture(new Uint8Array(r.raw));
    assert.equal(cap.packets.length, 9);
    assert.equal(cap.packets[0]?.linkType, 101);
  });

  test('--format svg / mermaid / state-svg --out FILE → the files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synack-demo-'));
    try {
      const svg = join(dir, 'l.svg');
      assert.equal(synack('demo', '--format', 'svg', '--out', svg).status, 0);
      assert.match(readFileSync(svg, 'utf8'), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      const st = join(dir, 's.svg');
      assert.equal(synack('demo', '--format', 'state-svg', '--out', st).status, 0);
      assert.match(readFileSync(st, 'utf8'), /Generated from src\/tcp\/transitions\.ts/);
      const m = synack('demo', '--format', 'mermaid');
      assert.match(m.stdout, /^sequenceDiagram\n/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bad options → a message and a non-zero exit, no stack trace', () => {
    const a = synack('demo', '--scenario', 'nope');
    assert.equal(a.status, 2);
    assert.match(a.stderr, /unknown scenario 'nope'/);
    const b = synack('demo', '--loss', 'lots');
    assert.equal(b.status, 1);
    assert.match(b.stderr, /^synack: --loss must be a number in \[0, 1\], got 'lots'/);
    const c = synack('demo', '--format', 'png');
    assert.equal(c.status, 1);
    assert.match(c.stderr, /unknown --format png/);
    const d = synack('demo', '--frobnicate');
    assert.equal(d.status, 1);
    assert.doesNotMatch(d.stderr, / {4}at /);
  });
});

describe('synack trace (CLI)', { timeout: 120_000 }, () => {
  test('trace FILE.pcap (own fixture) → ladder with inferred states', () => {
    const r = synack('trace', 'test/fixtures/synack-handshake.pcap');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^synack trace synack-handshake\.pcap \. pcap, 9 packets \(9 TCP\)/);
    assert.match(r.stdout, /states inferred from the segments/);
    assert.match(
      unwrap(r.stdout),
      /CLOSED -> SYN-SENT -> ESTABLISHED -> FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT/,
    );
  });

  test('trace FILE.ndjson (a saved demo) → the same ladder as the demo', () => {
    const dir = mkdtempSync(join(tmpdir(), 'synack-trace-'));
    try {
      const file = join(dir, 'run.ndjson');
      writeFileSync(file, synack('demo', '--format', 'json').raw);
      const t = synack('trace', file, '--format', 'mermaid');
      const d = synack('demo', '--format', 'mermaid');
      assert.equal(t.status, 0, t.stderr);
      // Lanes are named by host in both; the demo's lanes come first in the same order.
      assert.equal(t.stdout, d.stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('trace of a file that is no capture → a clear error', () => {
    const r = synack('trace', 'package.json');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^synack: (not a pcap|line 1)/);
  });
});
