/**
 * Text (and FIN, URG) carried on a SYN, with exact segments: RFC 9293 §3.10.7.2 and §3.10.7.3
 * say it is "queued for processing later". The SYN,ACK acknowledges only the SYN; the text is
 * delivered, and acknowledged, once our SYN is acknowledged.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ACK, FIN, RST, SYN, URG, activeOpen, bytes, passiveOpen, seg, shape } from './helpers.js';

const T = { timeout: 10_000 };

describe('text on a SYN', () => {
  test(
    'LISTEN SYN with 5 bytes → SYN,ACK acks only the SYN; the handshake ACK delivers them',
    T,
    () => {
      const d = passiveOpen();
      const synAck = d.input(
        seg({ seq: 7000, flags: SYN, payload: bytes(5), options: { mss: 1000 } }),
        0,
      );
      assert.deepEqual(
        synAck.map((s) => shape(s)),
        [{ seq: 5000, ack: 7001, flags: 'SYN,ACK', window: 8000, len: 0 }],
      );
      assert.equal(d.conn.readableLength, 0, 'held, not readable before ESTABLISHED');
      const n = d.events.length;
      const out = d.input(seg({ seq: 7001, ack: 5001, flags: ACK }), 10);
      assert.deepEqual(
        out.map((s) => shape(s)),
        [{ seq: 5001, ack: 7006, flags: 'ACK', window: 7995, len: 0 }],
      );
      assert.equal(d.state, 'ESTABLISHED');
      assert.deepEqual(
        d.events.slice(n).map((e) => e.type),
        ['state', 'established', 'readable'],
      );
      assert.deepEqual(d.conn.read(undefined, 11), bytes(5));
      assert.equal(d.conn.info().bytesReceived, 5);
    },
  );

  test(
    'SYN-RECEIVED handshake ACK repeating the SYN text and more → each byte delivered once',
    T,
    () => {
      const d = passiveOpen();
      d.input(seg({ seq: 7000, flags: SYN, payload: bytes(5), options: { mss: 1000 } }), 0);
      const out = d.input(seg({ seq: 7001, ack: 5001, flags: ACK, payload: bytes(8) }), 10);
      assert.deepEqual(
        out.map((s) => shape(s)),
        [{ seq: 5001, ack: 7009, flags: 'ACK', window: 7992, len: 0 }],
      );
      assert.deepEqual(d.conn.read(undefined, 11), bytes(8));
    },
  );

  test(
    'LISTEN SYN,FIN with text → SYN-RECEIVED; the handshake ACK takes it to CLOSE-WAIT',
    T,
    () => {
      const d = passiveOpen();
      const synAck = d.input(
        seg({ seq: 7000, flags: SYN | FIN, payload: bytes(5), options: { mss: 1000 } }),
        0,
      );
      assert.deepEqual(
        synAck.map((s) => shape(s)),
        [{ seq: 5000, ack: 7001, flags: 'SYN,ACK', window: 8000, len: 0 }],
      );
      assert.equal(d.state, 'SYN-RECEIVED');
      const out = d.input(seg({ seq: 7001, ack: 5001, flags: ACK }), 10);
      assert.deepEqual(
        out.map((s) => shape(s)),
        [{ seq: 5001, ack: 7007, flags: 'ACK', window: 7995, len: 0 }],
      );
      assert.equal(d.state, 'CLOSE-WAIT');
      assert.deepEqual(d.conn.read(undefined, 11), bytes(5));
      assert.ok(d.events.some((e) => e.type === 'peer-fin'));
    },
  );

  test(
    'LISTEN SYN text longer than our window → only what fits is kept, the FIN dropped',
    T,
    () => {
      const d = passiveOpen({ receiveBufferSize: 4 });
      const synAck = d.input(
        seg({ seq: 7000, flags: SYN | FIN, payload: bytes(6), options: { mss: 1000 } }),
        0,
      );
      assert.deepEqual(
        synAck.map((s) => shape(s)),
        [{ seq: 5000, ack: 7001, flags: 'SYN,ACK', window: 4, len: 0 }],
      );
      const out = d.input(seg({ seq: 7001, ack: 5001, flags: ACK }), 10);
      assert.deepEqual(
        out.map((s) => shape(s)),
        [{ seq: 5001, ack: 7005, flags: 'ACK', window: 0, len: 0 }],
      );
      assert.equal(d.state, 'ESTABLISHED');
      assert.deepEqual(d.conn.read(undefined, 11), bytes(4));
    },
  );

  test('SYN-RECEIVED RST → held SYN text discarded; LISTEN, a new handshake has none', T, () => {
    const d = passiveOpen();
    d.input(seg({ seq: 7000, flags: SYN, payload: bytes(5), options: { mss: 1000 } }), 0);
    d.input(seg({ seq: 7001, flags: RST }), 5);
    assert.equal(d.state, 'LISTEN');
    d.input(seg({ seq: 8000, flags: SYN, options: { mss: 1000 } }), 10);
    const out = d.input(seg({ seq: 8001, ack: 5001, flags: ACK }), 20);
    assert.deepEqual(out, []);
    assert.equal(d.state, 'ESTABLISHED');
    assert.equal(d.conn.readableLength, 0);
  });

  test('SYN-RECEIVED duplicate SYN with the text → SYN,ACK again; text delivered once', T, () => {
    const d = passiveOpen();
    const syn = seg({ seq: 7000, flags: SYN, payload: bytes(5), options: { mss: 1000 } });
    d.input(syn, 0);
    const again = d.input(syn, 500);
    assert.deepEqual(
      again.map((s) => shape(s)),
      [{ seq: 5000, ack: 7001, flags: 'SYN,ACK', window: 8000, len: 0 }],
    );
    const out = d.input(seg({ seq: 7001, ack: 5001, flags: ACK }), 510);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 5001, ack: 7006, flags: 'ACK', window: 7995, len: 0 }],
    );
    assert.deepEqual(d.conn.read(undefined, 511), bytes(5));
  });

  test('SYN-SENT SYN with text (simultaneous open) → held until our SYN is acknowledged', T, () => {
    const d = activeOpen();
    d.output(0);
    const synAck = d.input(seg({ seq: 9000, flags: SYN, payload: bytes(4) }), 5);
    assert.equal(d.state, 'SYN-RECEIVED');
    assert.deepEqual(
      synAck.map((s) => shape(s)),
      [{ seq: 1000, ack: 9001, flags: 'SYN,ACK', window: 8000, len: 0 }],
    );
    const out = d.input(seg({ seq: 9000, ack: 1001, flags: SYN | ACK }), 10);
    assert.equal(d.state, 'ESTABLISHED');
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1001, ack: 9005, flags: 'ACK', window: 7996, len: 0 }],
    );
    assert.deepEqual(d.conn.read(undefined, 11), bytes(4));
  });

  test('LISTEN SYN with URG and text → urgent event once ESTABLISHED, pending 2', T, () => {
    const d = passiveOpen();
    d.input(
      seg({ seq: 7000, flags: SYN | URG, urgent: 3, payload: bytes(5), options: { mss: 1000 } }),
      0,
    );
    assert.ok(!d.events.some((e) => e.type === 'urgent'), 'not before the handshake completes');
    d.input(seg({ seq: 7001, ack: 5001, flags: ACK }), 10);
    assert.equal(d.events.filter((e) => e.type === 'urgent').length, 1);
    assert.equal(d.conn.urgentPending, 2, 'SEG.SEQ 7000 + SEG.UP 3 − first data byte 7001');
  });
});
