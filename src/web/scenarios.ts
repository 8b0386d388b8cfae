/**
 * The page's preset scenarios: exactly the named scenarios of `synack demo --list`
 * (src/scenarios), in the same order. The page runs them with WebSession, which sets each one up
 * as the demo's runner does.
 */
import { SCENARIOS } from '../scenarios/catalog.js';
import { DEFAULT_PARAMS, type Scenario, type ScenarioParams } from '../scenarios/scenario.js';

export { SCENARIOS };

export function findScenario(name: string): Scenario | undefined {
  return name === '' ? undefined : SCENARIOS.find((s) => s.name === name);
}

/** A scenario's network parameters with the demo's defaults filled in. */
export function scenarioParams(s: Scenario | undefined): ScenarioParams {
  return { ...DEFAULT_PARAMS, ...(s?.defaults ?? {}) };
}
