import { describe } from 'node:test';
import { scenarioGroups } from './sim-suite.js';

describe('simulation: seeds 1001–1500', () => {
  scenarioGroups(1001, 500);
});
