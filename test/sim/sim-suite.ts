/**
 * Shared body of the simulation suite: runs the seeded scenarios of src/link/sim-scenario.ts in
 * groups, one test per group, each failure reported with the command that replays it. The seeds
 * are split over several files so that the test runner spreads them over both cores.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describePlan,
  replayCommand,
  runScenario,
  type ScenarioOptions,
} from '../../src/link/sim-scenario.js';

export const GROUP = 25;

export function scenarioGroups(
  first: number,
  count: number,
  pinned: Omit<ScenarioOptions, 'seed'> = {},
  label = 'random loss/reorder/duplicate/corrupt, random closes and aborts',
): void {
  for (let start = first; start < first + count; start += GROUP) {
    const end = Math.min(first + count, start + GROUP) - 1;
    test(
      `seeds ${start}–${end} (${label}) → every byte once and in order, both CLOSED, nothing left`,
      { timeout: 120_000 },
      (t) => {
        const failures: string[] = [];
        let packets = 0;
        let retransmits = 0;
        let bytes = 0;
        const modes = new Map<string, number>();
        for (let seed = start; seed <= end; seed++) {
          const r = runScenario({ seed, ...pinned });
          packets += r.packets;
          retransmits += r.retransmits;
          bytes += r.plan.clientBytes + r.plan.serverBytes;
          modes.set(r.plan.close, (modes.get(r.plan.close) ?? 0) + 1);
          if (!r.ok) {
            failures.push(
              `${describePlan(r.plan)}\n    ${r.failures.join('\n    ')}\n    replay: ${replayCommand({ seed, ...pinned })}`,
            );
          }
        }
        // What the group exercised, for the record (never asserted: the draw decides).
        t.diagnostic(
          `${bytes} bytes planned, ${packets} packets, ${retransmits} retransmissions; closes: ` +
            [...modes].map(([m, n]) => `${m} ${n}`).join(', '),
        );
        assert.equal(failures.length, 0, `failing scenarios:\n${failures.join('\n')}`);
      },
    );
  }
}
