import { describe } from 'node:test';
import { scenarioGroups } from './sim-suite.js';

describe('simulation: seeds 501–1000', () => {
  scenarioGroups(501, 500);
});
