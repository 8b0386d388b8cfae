import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

function sim(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/synack.js', 'sim', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('synack sim', () => {
  test('--runs 30 --seed 5 → last line "30 passed, 0 failed", exit 0', () => {
    const r = sim('--runs', '30', '--seed', '5');
    assert.equal(r.stdout.trimEnd().split('\n').at(-1), '30 passed, 0 failed');
    assert.equal(r.status, 0);
  });

  test('--loss 1 → every scenario fails; each seed printed with its replay command; exit 1', () => {
    const r = sim('--runs', '2', '--seed', '9', '--loss', '1', '--bytes', '100');
    assert.equal(r.stdout.trimEnd().split('\n').at(-1), '0 passed, 2 failed');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /FAIL seed 9: /);
    assert.match(r.stderr, /replay: npx synack sim --runs 1 --seed 9 --loss 1 --bytes 100\n/);
    assert.match(r.stderr, /replay: npx synack sim --runs 1 --seed 10 --loss 1 --bytes 100\n/);
  });

  test('a bad flag → usage on stderr, exit 2', () => {
    const r = sim('--loss', '7');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /probability/);
  });
});
