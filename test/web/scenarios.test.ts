/**
 * The page runs the demo's scenarios, not copies of them: for every named scenario, the page's
 * session (step clock, its own network set-up) produces the very trace `synack demo` records, event
 * for event, and the state sequences the scenario promises.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SCENARIOS } from '../../src/scenarios/catalog.js';
import { runScenario } from '../../src/scenarios/scenario.js';
import { toNdjson } from '../../src/trace/ndjson.js';
import { WebSession } from '../../src/web/session.js';
import { findScenario, scenarioParams } from '../../src/web/scenarios.js';

describe('page scenarios', { timeout: 60_000 }, () => {
  test('the page lists exactly the demo’s scenarios, in order', () => {
    assert.ok(SCENARIOS.length >= 9);
    for (const s of SCENARIOS) assert.equal(findScenario(s.name), s);
    assert.equal(findScenario(''), undefined);
    assert.equal(findScenario('no-such'), undefined);
  });

  for (const s of SCENARIOS) {
    test(`${s.name}: page session run to the end → the demo's trace exactly, and its promised states`, () => {
      const demo = runScenario(s);
      const p = scenarioParams(s);
      const page = new WebSession({
        seed: p.seed,
        loss: p.loss * 100,
        delay: p.delay,
        reorder: 0,
        jitter: p.jitter,
        scenario: s,
      });
      assert.equal(page.runToEnd(1_000_000), demo.idle);
      assert.equal(page.ndjson(), toNdjson(demo.events));
      const l = page.ladder();
      assert.deepEqual(l.lanes[0]?.states, s.expect.client);
      assert.deepEqual(l.lanes[1]?.states, s.expect.server);
    });
  }
});
