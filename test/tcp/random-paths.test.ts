/**
 * Seeded random paths between two engines: random loss, duplication, reordering, buffer sizes,
 * MSS, delays and options. Every byte must arrive once and in order both ways, and both ends must
 * close cleanly. A failing seed is named in the message so it can be replayed.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Pair, pseudoRandomBytes, sha256 } from './pair.js';

function rng(seed: number): () => number {
  let x = (seed * 2654435761) >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

describe('random paths', () => {
  test(
    'ESTABLISHED 24 seeded random paths → bytes intact both ways, both CLOSED',
    { timeout: 30_000 },
    () => {
      const failures: string[] = [];
      for (let seed = 1; seed <= 24; seed++) {
        const r = rng(seed);
        const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
        const side = () => ({
          mss: int(200, 1460),
          receiveBufferSize: int(2000, 200_000),
          sendBufferSize: int(2000, 100_000),
          windowScaling: r() < 0.5,
          noDelay: r() < 0.5,
          delayedAck: r() < 0.7,
        });
        const loss = r() * 0.15;
        const dup = r() * 0.05;
        const reorder = r() * 0.1;
        const plan = { a: side(), b: side(), loss, dup, reorder, delay: int(1, 50) };
        const p = new Pair({
          a: plan.a,
          b: plan.b,
          delay: plan.delay,
          issA: int(0, 2 ** 32 - 1),
          issB: int(0, 2 ** 32 - 1),
          hook: () => {
            const x = r();
            if (x < loss) return 'drop';
            if (x < loss + dup) return 'dup';
            if (x < loss + dup + reorder) return { delay: int(1, 3 * plan.delay) };
            return undefined;
          },
        });
        const da = pseudoRandomBytes(int(0, 60_000), seed);
        const db = pseudoRandomBytes(int(0, 60_000), seed + 1000);
        const ok = p.run(() => p.a.state === 'ESTABLISHED' && p.b.state === 'ESTABLISHED', 10_000);
        if (!ok) {
          failures.push(`seed ${seed}: no handshake (${p.a.state}/${p.b.state})`);
          continue;
        }
        try {
          p.sendAll('a', da);
          p.sendAll('b', db);
        } catch (e) {
          failures.push(`seed ${seed}: ${(e as Error).message}`);
          continue;
        }
        p.a.close(p.now);
        p.b.close(p.now);
        p.flush();
        p.run(() => p.a.state === 'CLOSED' && p.b.state === 'CLOSED', 500_000);
        const problems = [
          p.a.state !== 'CLOSED' && `a ended in ${p.a.state}`,
          p.b.state !== 'CLOSED' && `b ended in ${p.b.state}`,
          sha256(p.receivedBytes('b')) !== sha256(da) && 'a→b bytes differ',
          sha256(p.receivedBytes('a')) !== sha256(db) && 'b→a bytes differ',
          p.closedError('a') !== undefined && `a closed with ${String(p.closedError('a'))}`,
          p.closedError('b') !== undefined && `b closed with ${String(p.closedError('b'))}`,
        ].filter(Boolean);
        if (problems.length)
          failures.push(`seed ${seed} ${JSON.stringify(plan)}: ${problems.join(', ')}`);
      }
      assert.deepEqual(failures, []);
    },
  );
});
