import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Pair, pseudoRandomBytes, sha256 } from './pair.js';
import { shape } from './helpers.js';

describe('Pair', () => {
  test(
    'CLOSED active open ↔ LISTEN → both ESTABLISHED after three segments',
    { timeout: 5000 },
    () => {
      const p = new Pair();
      p.run(() => p.a.state === 'ESTABLISHED' && p.b.state === 'ESTABLISHED', 100);
      assert.equal(p.a.state, 'ESTABLISHED');
      assert.equal(p.b.state, 'ESTABLISHED');
      assert.deepEqual(
        p.sent.map((s) => [s.from, shape(s.seg)]),
        [
          ['a', { seq: 1000, ack: 0, flags: 'SYN', window: 8000, len: 0 }],
          ['b', { seq: 5000, ack: 1001, flags: 'SYN,ACK', window: 8000, len: 0 }],
          ['a', { seq: 1001, ack: 5001, flags: 'ACK', window: 8000, len: 0 }],
        ],
      );
    },
  );

  test(
    'ESTABLISHED 100 kB each way then close → both CLOSED, bytes identical',
    { timeout: 10000 },
    () => {
      const p = new Pair();
      const da = pseudoRandomBytes(100_000, 7);
      const db = pseudoRandomBytes(100_000, 9);
      p.run(() => p.a.state === 'ESTABLISHED' && p.b.state === 'ESTABLISHED', 100);
      p.sendAll('a', da);
      p.sendAll('b', db);
      p.a.close(p.now);
      p.b.close(p.now);
      p.flush();
      p.run(() => p.a.state === 'CLOSED' && p.b.state === 'CLOSED');
      assert.equal(sha256(p.receivedBytes('b')), sha256(da));
      assert.equal(sha256(p.receivedBytes('a')), sha256(db));
      assert.equal(p.a.state, 'CLOSED');
      assert.equal(p.b.state, 'CLOSED');
    },
  );
});
