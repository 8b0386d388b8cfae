import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EphemeralPorts } from '../../src/stack/ports.js';
import { seededRandom } from '../../src/tcp/random.js';

const none = (): boolean => false;

describe('EphemeralPorts (RFC 6056 Algorithm 4)', () => {
  test('default range → ports in 49152–65535', () => {
    const p = new EphemeralPorts(seededRandom(1));
    assert.equal(p.min, 49152);
    assert.equal(p.max, 65535);
    for (let i = 0; i < 500; i++) {
      const port = p.pick('198.18.0.1', '198.18.0.2', 80 + (i % 7), none)!;
      assert.ok(Number.isInteger(port) && port >= 49152 && port <= 65535, `port ${port}`);
    }
  });

  test('same remote endpoint, nothing in use → consecutive picks walk the range sequentially', () => {
    const p = new EphemeralPorts(seededRandom(2), { min: 1000, max: 1099 });
    const first = p.pick('198.18.0.1', '198.18.0.2', 80, none)!;
    const ports = [first];
    for (let i = 0; i < 150; i++) ports.push(p.pick('198.18.0.1', '198.18.0.2', 80, none)!);
    for (let i = 1; i < ports.length; i++) {
      const expected = 1000 + ((ports[i - 1]! - 1000 + 1) % 100);
      assert.equal(ports[i], expected);
    }
  });

  test('in-use ports → skipped, the next free one returned', () => {
    const p = new EphemeralPorts(seededRandom(3), { min: 2000, max: 2009 });
    const used = new Set<number>();
    for (let i = 0; i < 10; i++) {
      const port = p.pick('198.18.0.1', '198.18.0.2', 443, (x) => used.has(x));
      assert.ok(port !== undefined && !used.has(port) && port >= 2000 && port <= 2009);
      used.add(port);
    }
    assert.equal(used.size, 10);
  });

  test('every port in use → undefined after exactly one pass over the range', () => {
    const p = new EphemeralPorts(seededRandom(4), { min: 3000, max: 3063 });
    let asked = 0;
    const full = (): boolean => {
      asked++;
      return true;
    };
    assert.equal(p.pick('198.18.0.1', '198.18.0.2', 443, full), undefined);
    assert.equal(asked, 64);
    assert.equal(
      new EphemeralPorts(seededRandom(4)).pick('a', 'b', 1, () => true),
      undefined,
    );
  });

  test('single-port range → that port, then undefined once it is in use', () => {
    const p = new EphemeralPorts(seededRandom(5), { min: 5555, max: 5555 });
    assert.equal(p.pick('198.18.0.1', '198.18.0.2', 1, none), 5555);
    assert.equal(
      p.pick('198.18.0.1', '198.18.0.2', 1, (x) => x === 5555),
      undefined,
    );
  });

  test('different remote endpoints → different starting offsets', () => {
    const p = new EphemeralPorts(seededRandom(6));
    const starts = new Set<number>();
    for (let rp = 1; rp <= 50; rp++) starts.add(p.pick('198.18.0.1', '198.18.0.2', rp, none)!);
    assert.ok(starts.size >= 45, `only ${starts.size} distinct starts`);
  });

  test('same seed → same sequence of ports (reproducible simulations)', () => {
    const a = new EphemeralPorts(seededRandom(7));
    const b = new EphemeralPorts(seededRandom(7));
    for (let i = 0; i < 20; i++) {
      assert.equal(
        a.pick('2001:db8::1', '2001:db8::2', 80, none),
        b.pick('2001:db8::1', '2001:db8::2', 80, none),
      );
    }
  });

  test('bad range → RangeError', () => {
    const r = seededRandom(8);
    assert.throws(() => new EphemeralPorts(r, { min: 0 }), RangeError);
    assert.throws(() => new EphemeralPorts(r, { max: 65536 }), RangeError);
    assert.throws(() => new EphemeralPorts(r, { min: 60000, max: 50000 }), RangeError);
  });

  test(
    'property: never an in-use port, always in range, undefined only when the range is full',
    { timeout: 20_000 },
    () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 65000 }),
          fc.integer({ min: 0, max: 40 }),
          fc.integer(),
          fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 40 }),
          fc.array(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })), {
            minLength: 1,
            maxLength: 60,
          }),
          (min, span, seed, busy, picks) => {
            const max = min + span;
            const p = new EphemeralPorts(seededRandom(seed), { min, max });
            const used = new Set(busy.map((b) => min + (b % (span + 1))));
            for (const [host, rport] of picks) {
              const port = p.pick(`198.18.0.${host}`, '198.18.1.1', rport, (x) => used.has(x));
              if (port === undefined) {
                assert.equal(used.size, span + 1, 'undefined only when every port is taken');
              } else {
                assert.ok(port >= min && port <= max);
                assert.ok(!used.has(port));
                used.add(port);
              }
            }
          },
        ),
        { numRuns: 200, seed: 0x6056 },
      );
    },
  );
});
