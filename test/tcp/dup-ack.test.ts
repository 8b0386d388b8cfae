/**
 * Which ACKs count as duplicates (RFC 5681 §2, DUPLICATE ACKNOWLEDGMENT): (a) data outstanding,
 * (b) no data, (c) neither SYN nor FIN, (d) SEG.ACK = SND.UNA, (e) the window equal to the last
 * incoming acknowledgment's. Only such ACKs count toward the third that starts fast retransmit
 * (§3.2), so a stretch ACK, a window update or a data segment in between cannot change when it
 * happens. Exact segments in and out.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ACK, FIN, bytes, established, seg, shape } from './helpers.js';

const T = { timeout: 10_000 };
const RETRANSMIT = { seq: 1001, ack: 9001, flags: 'ACK', window: 8000, len: 1000 };

/** ESTABLISHED with 5 segments of 1000 bytes in flight (1001..6001), peer window 8000. */
function fiveInFlight(): ReturnType<typeof established> {
  const d = established({ initialWindowSegments: 10 });
  assert.equal(d.conn.send(bytes(5000), 20), 5000);
  assert.equal(d.output(20).length, 5);
  return d;
}

const dup = (window = 8000): ReturnType<typeof seg> =>
  seg({ seq: 9001, ack: 1001, flags: ACK, window });

describe('duplicate ACKs (RFC 5681 §2)', () => {
  test('three ACKs of SND.UNA, no data, same window → fast retransmit on the third', T, () => {
    const d = fiveInFlight();
    assert.deepEqual(d.input(dup(), 30), []);
    assert.deepEqual(d.input(dup(), 31), []);
    assert.deepEqual(
      d.input(dup(), 32).map((s) => shape(s)),
      [RETRANSMIT],
    );
    assert.equal(d.conn.info().totalRetransmits, 1);
  });

  test('(e) a changed window in between → not a duplicate; the count goes on after it', T, () => {
    const d = fiveInFlight();
    assert.deepEqual(d.input(dup(), 30), []); // 1
    assert.deepEqual(d.input(dup(7000), 31), []); // window 8000 → 7000: a window update, not counted
    assert.deepEqual(d.input(dup(7000), 32), []); // 2 (same window as the last ACK)
    assert.deepEqual(
      d.input(dup(7000), 33).map((s) => shape(s)),
      [RETRANSMIT],
      'the third duplicate, not the third ACK',
    );
  });

  test('(b) an ACK of SND.UNA carrying data → not a duplicate', T, () => {
    const d = fiveInFlight();
    assert.deepEqual(d.input(dup(), 30), []); // 1
    const withData = seg({ seq: 9001, ack: 1001, flags: ACK, payload: bytes(100) });
    // Delayed ACK for its 100 bytes (first segment): nothing sent at once, nothing counted.
    assert.deepEqual(d.input(withData, 31), []);
    assert.deepEqual(d.input(seg({ seq: 9101, ack: 1001, flags: ACK }), 32), []); // 2
    const third = d.input(seg({ seq: 9101, ack: 1001, flags: ACK }), 33).map((s) => shape(s));
    // The retransmission also ACKs the 100 bytes (still unread: window 7900).
    assert.deepEqual(third, [{ ...RETRANSMIT, ack: 9101, window: 7900 }]);
  });

  test('(c) an ACK of SND.UNA with FIN → not a duplicate', T, () => {
    const d = fiveInFlight();
    assert.deepEqual(d.input(dup(), 30), []); // 1
    assert.deepEqual(d.input(dup(), 31), []); // 2
    const fin = d.input(seg({ seq: 9001, ack: 1001, flags: ACK | FIN }), 32).map((s) => shape(s));
    assert.deepEqual(fin, [{ seq: 6001, ack: 9002, flags: 'ACK', window: 8000, len: 0 }]);
    assert.equal(d.conn.info().totalRetransmits, 0, 'the FIN is not the third duplicate');
  });

  test('(a) nothing outstanding → identical ACKs are not duplicates', T, () => {
    const d = fiveInFlight();
    assert.deepEqual(d.input(seg({ seq: 9001, ack: 6001, flags: ACK }), 30), []);
    for (let t = 31; t < 36; t++) {
      assert.deepEqual(d.input(seg({ seq: 9001, ack: 6001, flags: ACK }), t), []);
    }
    assert.equal(d.conn.info().totalRetransmits, 0);
  });
});
