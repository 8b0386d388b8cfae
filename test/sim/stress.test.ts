import { describe } from 'node:test';
import { scenarioGroups } from './sim-suite.js';

// The worst the random suite draws, all at once, with the largest transfers.
describe('simulation: stress', () => {
  scenarioGroups(
    100_001,
    25,
    { loss: 0.2, reorder: 0.2, duplicate: 0.1, corrupt: 0.05, bytes: 200_000, exactBytes: true },
    '200 KB each way at 20 % loss, 20 % reorder, 10 % duplicate, 5 % corrupt',
  );
  scenarioGroups(
    200_001,
    25,
    { loss: 0, reorder: 0, duplicate: 0, corrupt: 0, bytes: 200_000, exactBytes: true },
    'clean path, 200 KB each way',
  );
});
