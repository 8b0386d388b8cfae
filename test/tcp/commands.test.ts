/**
 * User commands and timeouts that the other files do not reach: the user timeout (RFC 9293 §3.8.3,
 * RFC 5482), CLOSE while data waits in SYN-RECEIVED (§3.10.4), the persist timer overriding sender
 * SWS avoidance (RFC 1122 4.2.3.4), counters in info().
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ACK, SYN, bytes, established, passiveOpen, seg, shape } from './helpers.js';
import { Pair, pseudoRandomBytes } from './pair.js';

const T = { timeout: 5000 };

describe('commands and timers', () => {
  test('ESTABLISHED data unacknowledged longer than userTimeout → CLOSED, timed-out', T, () => {
    const d = established({ userTimeout: 2500 });
    d.conn.send(bytes(100), 20);
    d.output(20);
    assert.deepEqual(d.conn.timerDeadlines(), [
      ['user-timeout', 2520],
      ['retransmit', 1020],
    ]);
    const r1 = d.fireNext();
    assert.equal(r1.at, 1020);
    assert.equal(r1.out.length, 1, 'retransmitted');
    const end = d.fireNext();
    assert.equal(end.at, 2520);
    assert.equal(d.state, 'CLOSED');
    const closed = d.closedEvents()[0];
    assert.ok(closed?.type === 'closed' && closed.error?.code === 'timed-out');
  });

  test('ESTABLISHED user timeout restarts when data is acknowledged', T, () => {
    const d = established({ userTimeout: 2500 });
    d.conn.send(bytes(2000), 20);
    d.output(20);
    d.input(seg({ seq: 9001, ack: 2001, flags: ACK }), 500);
    assert.deepEqual(d.conn.timerDeadlines(), [
      ['user-timeout', 3000],
      ['retransmit', 1500],
    ]);
    d.input(seg({ seq: 9001, ack: 3001, flags: ACK }), 600);
    assert.deepEqual(d.conn.timerDeadlines(), []);
  });

  test('SYN-RECEIVED SEND then CLOSE → data, then FIN, once the handshake completes', T, () => {
    const d = passiveOpen();
    d.input(seg({ seq: 7000, flags: SYN, options: { mss: 1000 } }), 0);
    assert.equal(d.conn.send(bytes(300), 1), 300);
    d.conn.close(2);
    assert.equal(d.state, 'SYN-RECEIVED', 'CLOSE is queued while data waits');
    assert.deepEqual(d.output(2), []);
    const out = d.input(seg({ seq: 7001, ack: 5001, flags: ACK }), 10);
    assert.equal(d.state, 'FIN-WAIT-1');
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 5001, ack: 7001, flags: 'FIN,PSH,ACK', window: 8000, len: 300 }],
    );
  });

  test(
    'ESTABLISHED window too small for sender SWS avoidance, nothing in flight → persist timer forces the send',
    T,
    () => {
      const d = established({}, 8000);
      d.conn.send(bytes(3000), 20);
      assert.equal(d.output(20).length, 3);
      // All acknowledged, but the peer offers only 100 bytes (< MSS, < half of the 8000 it offered).
      assert.deepEqual(d.input(seg({ seq: 9001, ack: 4001, flags: ACK, window: 100 }), 40), []);
      d.conn.send(bytes(500), 41);
      assert.deepEqual(d.output(41), []);
      assert.deepEqual(d.conn.timerDeadlines(), [['persist', 1041]]);
      const { out } = d.fireNext();
      assert.deepEqual(
        out.map((s) => shape(s)),
        [{ seq: 4001, ack: 9001, flags: 'ACK', window: 8000, len: 100 }],
      );
    },
  );

  test('ESTABLISHED info() → counters after a 50 kB exchange', T, () => {
    const p = new Pair();
    p.run(() => p.b.state === 'ESTABLISHED', 100);
    const data = pseudoRandomBytes(50_000, 51);
    p.sendAll('a', data);
    p.run(() => p.a.info().bytesAcked === data.length, 10_000);
    const a = p.a.info();
    const b = p.b.info();
    assert.equal(a.bytesSent, 50_000);
    assert.equal(a.bytesAcked, 50_000);
    assert.equal(b.bytesReceived, 50_000);
    assert.equal(a.bytesInFlight, 0);
    assert.equal(a.sendBuffered, 0);
    assert.equal(a.sndUna, 1001 + 50_000);
    assert.equal(b.rcvNxt, 1001 + 50_000);
    assert.equal(a.totalRetransmits, 0);
    assert.equal(a.srtt !== undefined && a.srtt >= 20, true);
    assert.ok(a.cwnd > 4000, 'slow start grew cwnd');
    assert.equal(p.a.writableLength, 64 * 1024);
  });

  test('ESTABLISHED read(max) → at most max bytes, in order', T, () => {
    const d = established();
    const data = bytes(700);
    d.input(seg({ seq: 9001, ack: 1001, flags: ACK, payload: data }), 100);
    assert.equal(d.conn.readableLength, 700);
    assert.deepEqual(d.conn.read(300, 101), data.subarray(0, 300));
    assert.deepEqual(d.conn.read(undefined, 101), data.subarray(300));
    assert.equal(d.conn.read(10, 101).length, 0);
  });

  test('FIN-WAIT-2 rcv data → delivered, ACKed, the FIN-WAIT-2 timeout restarted', T, () => {
    const d = established();
    d.conn.close(20);
    d.output(20);
    d.input(seg({ seq: 9001, ack: 1002, flags: ACK }), 30);
    assert.equal(d.state, 'FIN-WAIT-2');
    assert.deepEqual(d.conn.timerDeadlines(), [['fin-wait-2', 60_030]]);
    d.input(seg({ seq: 9001, ack: 1002, flags: ACK, payload: bytes(100) }), 5000);
    assert.deepEqual(d.conn.timerDeadlines(), [
      ['fin-wait-2', 65_000],
      ['delayed-ack', 5040],
    ]);
    assert.equal(d.conn.readableLength, 100);
  });
});
