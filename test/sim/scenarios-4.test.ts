import { describe } from 'node:test';
import { scenarioGroups } from './sim-suite.js';

describe('simulation: seeds 1501–2000', () => {
  scenarioGroups(1501, 500);
});
