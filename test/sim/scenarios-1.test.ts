import { describe } from 'node:test';
import { scenarioGroups } from './sim-suite.js';

describe('simulation: seeds 1–500', () => {
  scenarioGroups(1, 500);
});
