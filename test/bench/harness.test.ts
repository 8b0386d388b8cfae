/**
 * A quick smoke run of the benchmark harness (the benchmarks themselves never run in npm test):
 * the summaries, units, flags and table, and one tiny run of a few cases through real child
 * processes, checking the bytes that arrived rather than any speed.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from '../../bench/child.js';
import { parseOptions, UsageError } from '../../bench/options.js';
import { buildRows } from '../../bench/rows.js';
import { ratio, summarize } from '../../bench/stats.js';
import { renderTable, type RowResult } from '../../bench/table.js';
import { formatValue, parseSize } from '../../bench/units.js';

describe('bench summaries', () => {
  test('summarize [3, 1, 2] → median 2, min 1, max 3', () => {
    assert.deepEqual(summarize([3, 1, 2]), { median: 2, min: 1, max: 3, runs: [3, 1, 2] });
  });
  test('summarize an even count → mean of the middle two; no finite value → undefined', () => {
    assert.equal(summarize([4, 1, 2, 3])?.median, 2.5);
    assert.equal(summarize([NaN]), undefined);
  });
  test('ratio is oriented so that > 1 means synack ahead, for rates and for bytes', () => {
    const s = summarize([200])!;
    const a = summarize([100])!;
    assert.equal(ratio(s, a, true), 2);
    assert.equal(ratio(s, a, false), 0.5);
    assert.equal(ratio(undefined, a, true), undefined);
  });
});

describe('bench units and flags', () => {
  test('formatValue → every figure with its unit', () => {
    assert.equal(formatValue(13_200_000_000, 'bit/s'), '13.2 Gbit/s');
    assert.equal(formatValue(4210, 'conn/s'), '4.21 kconn/s');
    assert.equal(formatValue(812, 'B'), '812 B');
    assert.equal(formatValue(527_268, 'B'), '515 KiB');
    assert.equal(formatValue(1_050_000, 'endpoints'), '1.05 M endpoints');
  });
  test('parseSize "64k" / "1G" / "16MiB" → bytes; "x" → undefined', () => {
    assert.equal(parseSize('64k'), 65536);
    assert.equal(parseSize('1G'), 1024 ** 3);
    assert.equal(parseSize('16MiB'), 16 * 1024 ** 2);
    assert.equal(parseSize('x'), undefined);
  });
  test('--quick --only bulk,loss --runs 5 → those sections, quick sizes, 5 runs', () => {
    const o = parseOptions(['--only', 'bulk,loss', '--quick', '--runs=5']);
    assert.deepEqual(o.sections, ['bulk', 'loss']);
    assert.equal(o.runs, 5);
    assert.equal(o.bulkBytes, 64 * 1024 ** 2);
    assert.deepEqual(
      buildRows(o).map((r) => r.id),
      [
        'bulk-bare-65535',
        'bulk-bare-65535-no-offload',
        'bulk-bare-1500',
        'bulk-bare-1500-no-offload',
        'bulk-socket-65535',
        'bulk-socket-1500',
        'loss-0',
        'loss-0.1',
        'loss-1',
        'loss-5',
      ],
    );
  });
  test('an unknown flag or section → UsageError', () => {
    assert.throws(() => parseOptions(['--fast']), UsageError);
    assert.throws(() => parseOptions(['--only', 'speed']), UsageError);
  });
  test('renderTable → median [min–max] with units, the ratio and the target verdict', () => {
    const row: RowResult = {
      id: 'x',
      section: 'bulk',
      label: 'bulk',
      unit: 'bit/s',
      higherIsBetter: true,
      synack: summarize([1e9, 2e9, 3e9]),
      alternative: summarize([4e9, 4e9, 4e9]),
      alternativeLabel: 'Node net',
      ratio: 0.5,
      target: '≥ 1.0×',
      targetMet: false,
      notes: ['a note'],
      errors: [],
    };
    const t = renderTable([row]);
    assert.match(t, /2\.00 Gbit\/s \[1\.00 Gbit\/s–3\.00 Gbit\/s\]/);
    assert.match(t, /0\.50×/);
    assert.match(t, /NOT MET/);
    assert.match(t, /bulk: a note/);
  });
});

describe('bench child processes', () => {
  test('node-bulk 4 MiB → every byte arrives', { timeout: 30_000 }, async () => {
    const m = await runChild(
      'node-bulk',
      { bytes: 4 << 20, writeSize: 65536 },
      { timeoutMs: 25_000 },
    );
    assert.equal(m.bytes, 4 << 20);
  });
  test('synack-bulk 4 MiB at MTU 1500 → every byte arrives', { timeout: 30_000 }, async () => {
    const m = await runChild(
      'synack-bulk',
      { bytes: 4 << 20, writeSize: 65536, mtu: 1500 },
      { timeoutMs: 25_000 },
    );
    assert.equal(m.bytes, 4 << 20);
    assert.equal(m.retransmits, 0);
  });
  test('synack-loss 256 KiB at 1 % loss → every byte arrives', { timeout: 30_000 }, async () => {
    const m = await runChild(
      'synack-loss',
      { bytes: 256 * 1024, lossPercent: 1, seed: 7 },
      { timeoutMs: 25_000 },
    );
    assert.equal(m.bytes, 256 * 1024);
  });
  test(
    'synack-net-bulk 1 MiB through net.Socket → every byte arrives',
    { timeout: 30_000 },
    async () => {
      const m = await runChild(
        'synack-net-bulk',
        { bytes: 1 << 20, writeSize: 65536, mtu: 1500 },
        { timeoutMs: 25_000 },
      );
      assert.equal(m.bytes, 1 << 20);
    },
  );
  test(
    'synack-memory 50 bare connections → 100 endpoints measured',
    { timeout: 30_000 },
    async () => {
      const m = await runChild(
        'synack-memory',
        { conns: 50, mode: 'bare', budget: 1 << 30 },
        { timeoutMs: 25_000, nodeArgs: ['--expose-gc'] },
      );
      assert.equal(m.endpoints, 100);
      assert.ok(typeof m.heapPerEndpoint === 'number' && m.heapPerEndpoint > 0);
    },
  );
  test(
    'an unknown case → the child reports an error, not a hang',
    { timeout: 30_000 },
    async () => {
      await assert.rejects(runChild('no-such-case', {}, { timeoutMs: 25_000 }), /unknown case/);
    },
  );
});
