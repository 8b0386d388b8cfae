/**
 * Small RFC 9293 Appendix B rows closed while auditing the engine (docs/rfc9293-conformance.md),
 * with exact segments.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ACK, PSH, SYN, activeOpen, bytes, established, seg, shape } from './helpers.js';

const T = { timeout: 10_000 };

describe('MUST-40: the ACK delay is less than 0.5 s', () => {
  test('ESTABLISHED delayedAckTimeout 2000 configured → delayed ACK after 499 ms', T, () => {
    const d = established({ delayedAckTimeout: 2000 });
    assert.deepEqual(
      d.input(seg({ seq: 9001, ack: 1001, flags: ACK | PSH, payload: bytes(500) }), 100),
      [],
    );
    assert.deepEqual(d.conn.timerDeadlines(), [['delayed-ack', 599]]);
    const { at, out } = d.fireNext();
    assert.equal(at, 599);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1001, ack: 9501, flags: 'ACK', window: 7500, len: 0 }],
    );
  });

  test('ESTABLISHED delayedAckTimeout NaN configured → ACK timer due at once', T, () => {
    const d = established({ delayedAckTimeout: Number.NaN });
    d.input(seg({ seq: 9001, ack: 1001, flags: ACK, payload: bytes(10) }), 100);
    assert.deepEqual(d.conn.timerDeadlines(), [['delayed-ack', 100]]);
    assert.deepEqual(
      d.tick(100).map((s) => shape(s)),
      [{ seq: 1001, ack: 9011, flags: 'ACK', window: 7990, len: 0 }],
    );
  });
});

describe('MUST-56: soft ICMP unreachable does not abort', () => {
  test('SYN-SENT soft ICMP unreachable → stays SYN-SENT; a SYN,ACK still establishes', T, () => {
    const d = activeOpen();
    d.output(0);
    d.conn.handleUnreachable(5, { soft: true });
    assert.equal(d.state, 'SYN-SENT');
    assert.deepEqual(d.closedEvents(), []);
    const out = d.input(
      seg({ seq: 9000, ack: 1001, flags: SYN | ACK, options: { mss: 1000 } }),
      10,
    );
    assert.equal(d.state, 'ESTABLISHED');
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1001, ack: 9001, flags: 'ACK', window: 8000, len: 0 }],
    );
  });

  test('SYN-SENT soft ICMP unreachable, every SYN lost → CLOSED with unreachable', T, () => {
    const d = activeOpen({ synRetries: 2 });
    d.output(0);
    d.conn.handleUnreachable(5, { soft: true });
    const times: number[] = [];
    for (let i = 0; i < 10 && d.state !== 'CLOSED'; i++) times.push(d.fireNext().at);
    assert.deepEqual(times, [1000, 3000, 7000]);
    const closed = d.closedEvents()[0];
    assert.ok(closed?.type === 'closed' && closed.error?.code === 'unreachable');
  });

  test('SYN-SENT ICMP unreachable without soft → CLOSED at once (unchanged)', T, () => {
    const d = activeOpen();
    d.output(0);
    d.conn.handleUnreachable(5);
    assert.equal(d.state, 'CLOSED');
  });
});
