import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionTable } from '../../src/stack/connection-table.js';
import type { TcpConnection } from '../../src/stack/tcp-connection.js';
import { seededRandom } from '../../src/tcp/random.js';

const conn = (la: string, lp: number, ra: string, rp: number): TcpConnection =>
  ({
    tuple: { localAddress: la, localPort: lp, remoteAddress: ra, remotePort: rp },
  }) as unknown as TcpConnection;

describe('ConnectionTable', () => {
  test(
    'same port pair, different addresses → each found by its own tuple, removed alone',
    { timeout: 10_000 },
    () => {
      const t = new ConnectionTable();
      const a = conn('198.18.0.2', 80, '198.18.0.1', 5000);
      const b = conn('198.18.0.2', 80, '198.18.0.3', 5000);
      const c = conn('2001:db8::2', 80, '2001:db8::1', 5000);
      t.add(a);
      t.add(b);
      t.add(c);
      assert.equal(t.size, 3);
      assert.equal(t.get('198.18.0.2', 80, '198.18.0.1', 5000), a);
      assert.equal(t.get('198.18.0.2', 80, '198.18.0.3', 5000), b);
      assert.equal(t.get('2001:db8::2', 80, '2001:db8::1', 5000), c);
      assert.equal(t.get('198.18.0.2', 80, '198.18.0.9', 5000), undefined);
      assert.equal(t.get('198.18.0.2', 81, '198.18.0.1', 5000), undefined);
      assert.equal(t.delete(b), true);
      assert.equal(t.delete(b), false);
      assert.equal(t.get('198.18.0.2', 80, '198.18.0.1', 5000), a);
      assert.equal(t.get('2001:db8::2', 80, '2001:db8::1', 5000), c);
      assert.equal(t.size, 2);
      assert.deepEqual(new Set(t.values()), new Set([a, c]));
    },
  );

  test(
    'a connection retired to TIME-WAIT → found, counted, listed and removed as before',
    { timeout: 10_000 },
    () => {
      const t = new ConnectionTable();
      const a = conn('198.18.0.2', 80, '198.18.0.1', 5000);
      const b = conn('198.18.0.2', 80, '198.18.0.3', 5000);
      t.add(a);
      t.add(b);
      t.retire(a);
      t.retire(a); // a second retire changes nothing
      assert.equal(t.size, 2);
      assert.equal(t.get('198.18.0.2', 80, '198.18.0.1', 5000), a);
      assert.equal(t.has('198.18.0.2', 80, '198.18.0.3', 5000), true);
      assert.deepEqual(new Set(t.values()), new Set([a, b]));
      assert.equal(t.delete(a), true);
      assert.equal(t.delete(a), false);
      assert.equal(t.get('198.18.0.2', 80, '198.18.0.1', 5000), undefined);
      assert.equal(t.size, 1);
      // The 4-tuple is free again: a new connection takes it (live, not waiting).
      const a2 = conn('198.18.0.2', 80, '198.18.0.1', 5000);
      t.add(a2);
      assert.equal(t.get('198.18.0.2', 80, '198.18.0.1', 5000), a2);
    },
  );

  test(
    '5,000 random adds, moves to TIME-WAIT and deletes → agrees with a Map keyed by the 4-tuple text',
    { timeout: 10_000 },
    () => {
      const t = new ConnectionTable();
      const model = new Map<string, TcpConnection>();
      const r = seededRandom(3);
      for (let i = 0; i < 5000; i++) {
        const la = `198.18.0.${1 + (r.nextU32() % 3)}`;
        const ra = `198.18.1.${1 + (r.nextU32() % 5)}`;
        const lp = 80 + (r.nextU32() % 2);
        const rp = 1000 + (r.nextU32() % 4);
        const k = `${la}|${lp}|${ra}|${rp}`;
        const existing = model.get(k);
        if (existing) {
          assert.equal(t.get(la, lp, ra, rp), existing);
          const x = r.next();
          if (x < 0.4) {
            assert.equal(t.delete(existing), true);
            model.delete(k);
          } else if (x < 0.7) {
            // Into TIME-WAIT (again, for some): still found, deleted, listed as before.
            t.retire(existing);
          }
        } else {
          assert.equal(t.get(la, lp, ra, rp), undefined);
          const c = conn(la, lp, ra, rp);
          t.add(c);
          model.set(k, c);
        }
        assert.equal(t.size, model.size);
      }
      assert.deepEqual(new Set(t.values()), new Set(model.values()));
    },
  );
});
