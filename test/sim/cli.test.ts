import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function sim(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/synack.js', 'sim', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('synack sim', () => {
  test('--runs 30 --seed 5 → last line "30 passed, 0 failed", exit 0', { timeout: 60_000 }, () => {
    const r = sim('--runs', '30', '--seed', '5');
    assert.equal(r.stdout.trimEnd().split('\n').at(-1), '30 passed, 0 failed');
    assert.equal(r.status, 0);
  });

  test(
    '--loss 1 → every scenario fails; each seed printed with its replay command; exit 1',
    { timeout: 60_000 },
    () => {
      const r = sim('--runs', '2', '--seed', '9', '--loss', '1', '--bytes', '100');
      assert.equal(r.stdout.trimEnd().split('\n').at(-1), '0 passed, 2 failed');
      assert.equal(r.status, 1);
      assert.match(r.stderr, /FAIL seed 9: /);
      assert.match(r.stderr, /replay: npx synack sim --runs 1 --seed 9 --loss 1 --bytes 100\n/);
      assert.match(r.stderr, /replay: npx synack sim --runs 1 --seed 10 --loss 1 --bytes 100\n/);
    },
  );

  test(
    '--runs 1 --trace F --pcap P → NDJSON that starts with the SYN-SENT state, a pcap file',
    { timeout: 60_000 },
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'synack-sim-'));
      try {
        const nd = join(dir, 'run.ndjson');
        const pcap = join(dir, 'run.pcap');
        const r = sim('--runs', '1', '--seed', '3', '--trace', nd, '--pcap', pcap);
        assert.equal(r.stdout.trimEnd().split('\n').at(-1), '1 passed, 0 failed');
        const first = JSON.parse(readFileSync(nd, 'utf8').split('\n')[0]!) as Record<
          string,
          unknown
        >;
        assert.equal(first.type, 'state');
        assert.equal(first.to, 'SYN-SENT');
        const p = readFileSync(pcap);
        assert.equal(p.readUInt32LE(0), 0xa1b2c3d4);
        assert.ok(p.length > 24 + 16);
        assert.equal(sim('--runs', '2', '--trace', nd).status, 2);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  test('a bad flag → usage on stderr, exit 2', { timeout: 60_000 }, () => {
    const r = sim('--loss', '7');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /probability/);
  });
});
