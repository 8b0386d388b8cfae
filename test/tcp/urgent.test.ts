/**
 * Urgent data with exact segments (RFC 9293 §3.8.5, §3.10.2, §3.10.7.4 sixth step; MUST-30, -31,
 * -32, -33, -62, -66): SEND with the URGENT flag sets SND.UP to the octet after the urgent data,
 * every segment ahead of it carries URG and SND.UP − SEG.SEQ; the receiver keeps
 * RCV.UP = max(RCV.UP, SEG.UP), signals once per run of urgent data and counts what is left. The
 * bytes stay in the ordinary stream (RFC 6093).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  ACK,
  FIN,
  PSH,
  SYN,
  URG,
  activeOpen,
  bytes,
  established,
  seg,
  shapeUrg,
} from './helpers.js';
import { Pair, pseudoRandomBytes, sha256 } from './pair.js';

const T = { timeout: 10_000 };

describe('sending urgent data', () => {
  test(
    'ESTABLISHED SEND 3 bytes urgent → PSH,ACK,URG with SEG.UP 3 (the octet after them)',
    T,
    () => {
      const d = established();
      assert.equal(d.conn.send(bytes(3), 20, { urgent: true }), 3);
      assert.deepEqual(d.output(20).map(shapeUrg), [
        { seq: 1001, ack: 9001, flags: 'PSH,ACK,URG', window: 8000, len: 3, up: 3 },
      ]);
    },
  );

  test(
    'ESTABLISHED SEND 2500 bytes urgent → URG on every segment, pointer to the same end',
    T,
    () => {
      const d = established();
      d.conn.send(bytes(2500), 20, { urgent: true });
      assert.deepEqual(d.output(20).map(shapeUrg), [
        { seq: 1001, ack: 9001, flags: 'ACK,URG', window: 8000, len: 1000, up: 2500 },
        { seq: 2001, ack: 9001, flags: 'ACK,URG', window: 8000, len: 1000, up: 1500 },
        { seq: 3001, ack: 9001, flags: 'PSH,ACK,URG', window: 8000, len: 500, up: 500 },
      ]);
    },
  );

  test('ESTABLISHED small urgent SEND behind unacked small data → not held by Nagle', T, () => {
    const d = established();
    d.conn.send(bytes(1500), 20);
    assert.deepEqual(d.output(20).map(shapeUrg), [
      { seq: 1001, ack: 9001, flags: 'ACK', window: 8000, len: 1000, up: 0 },
      { seq: 2001, ack: 9001, flags: 'PSH,ACK', window: 8000, len: 500, up: 0 },
    ]);
    // Without URGENT a 1-byte SEND now waits (Nagle: a small segment is unacknowledged).
    d.conn.send(bytes(1), 21);
    assert.deepEqual(d.output(21), []);
    d.conn.send(bytes(1), 22, { urgent: true });
    assert.deepEqual(d.output(22).map(shapeUrg), [
      { seq: 2501, ack: 9001, flags: 'PSH,ACK,URG', window: 8000, len: 2, up: 2 },
    ]);
  });

  test('ESTABLISHED ACK of SND.UP → urgent mode ends: later segments carry no URG', T, () => {
    const d = established({ delayedAck: false });
    d.conn.send(bytes(4), 20, { urgent: true });
    assert.equal(d.output(20)[0]?.urgent, 4);
    // An ACK short of SND.UP: still urgent; our ACK of the peer's data carries the pointer.
    const mid = d.input(seg({ seq: 9001, ack: 1003, flags: ACK | PSH, payload: bytes(10) }), 30);
    assert.deepEqual(
      mid.map(shapeUrg),
      [{ seq: 1005, ack: 9011, flags: 'ACK', window: 7990, len: 0, up: 0 }],
      'SND.NXT is at SND.UP: the segment is not ahead of it',
    );
    assert.deepEqual(d.input(seg({ seq: 9011, ack: 1005, flags: ACK }), 40), []);
    d.conn.send(bytes(5), 50);
    assert.deepEqual(d.output(50).map(shapeUrg), [
      { seq: 1005, ack: 9011, flags: 'PSH,ACK', window: 7990, len: 5, up: 0 },
    ]);
  });

  test(
    'ESTABLISHED peer window 0, SEND urgent → ACKs and probes carry URG ahead of the data',
    T,
    () => {
      const d = established({ delayedAck: false }, 0);
      assert.equal(d.conn.send(bytes(5), 20, { urgent: true }), 5);
      assert.deepEqual(d.output(20), [], 'nothing fits a zero window');
      const ack = d.input(
        seg({ seq: 9001, ack: 1001, flags: ACK | PSH, window: 0, payload: bytes(10) }),
        30,
      );
      assert.deepEqual(
        ack.map(shapeUrg),
        [{ seq: 1001, ack: 9011, flags: 'ACK,URG', window: 7990, len: 0, up: 5 }],
        'the pointer reaches the peer before the urgent bytes can',
      );
      const probe = d.fireNext();
      assert.deepEqual(probe.out.map(shapeUrg), [
        { seq: 1001, ack: 9011, flags: 'ACK,URG', window: 7990, len: 1, up: 5 },
      ]);
    },
  );

  test(
    'ESTABLISHED SEND 70000 bytes urgent → SEG.UP 0xffff until SND.UP is in reach (MUST-31)',
    T,
    () => {
      const d = established({ sendBufferSize: 100_000 });
      assert.equal(d.conn.send(bytes(70_000), 20, { urgent: true }), 70_000);
      const first = d.output(20);
      assert.deepEqual(
        first.map((s) => [s.seq, s.urgent, s.flags & URG]),
        [
          [1001, 0xffff, URG],
          [2001, 0xffff, URG],
          [3001, 0xffff, URG],
          [4001, 0xffff, URG],
        ],
      );
      // SND.UP = 71001: from 5001 on the distance fits 16 bits only once it is at most 65535.
      const next = d.input(seg({ seq: 9001, ack: 5001, flags: ACK, window: 8000 }), 60);
      assert.deepEqual(
        next.map((s) => [s.seq, s.urgent]),
        [
          [5001, 0xffff],
          [6001, 65000],
          [7001, 64000],
          [8001, 63000],
          [9001, 62000],
        ],
        'slow start: cwnd 4000 + 1 MSS for the one ACK (RFC 5681 §3.1)',
      );
    },
  );

  test(
    'SYN-SENT SEND urgent → the SYN has no URG; the data segment after the handshake does',
    T,
    () => {
      const d = activeOpen();
      assert.equal(d.conn.send(bytes(3), 1, { urgent: true }), 3);
      assert.deepEqual(d.output(1).map(shapeUrg), [
        { seq: 1000, ack: 0, flags: 'SYN', window: 8000, len: 0, up: 0 },
      ]);
      const out = d.input(
        seg({ seq: 9000, ack: 1001, flags: SYN | ACK, options: { mss: 1000 } }),
        10,
      );
      assert.deepEqual(out.map(shapeUrg), [
        { seq: 1001, ack: 9001, flags: 'PSH,ACK,URG', window: 8000, len: 3, up: 3 },
      ]);
    },
  );
});

describe('receiving urgent data', () => {
  test(
    'ESTABLISHED URG segment → one urgent event; urgentPending counts down as bytes are read',
    T,
    () => {
      const d = established();
      d.collect();
      d.input(
        seg({ seq: 9001, ack: 1001, flags: ACK | PSH | URG, urgent: 3, payload: bytes(5) }),
        20,
      );
      assert.deepEqual(
        d.events.slice(-2).map((e) => e.type),
        ['urgent', 'readable'],
      );
      assert.equal(d.conn.urgentPending, 3);
      // The pointer advances while urgent data is pending: no second signal (§3.10.7.4 sixth).
      const before = d.events.length;
      d.input(
        seg({ seq: 9006, ack: 1001, flags: ACK | PSH | URG, urgent: 2, payload: bytes(5, 5) }),
        30,
      );
      assert.deepEqual(
        d.events.slice(before).map((e) => e.type),
        ['readable'],
      );
      assert.equal(d.conn.urgentPending, 7, 'RCV.UP = max(9004, 9008) = 9008');
      assert.deepEqual(d.conn.read(2, 40), bytes(2));
      assert.equal(d.conn.urgentPending, 5);
      assert.deepEqual(
        d.conn.read(undefined, 41),
        Uint8Array.from([...bytes(5).subarray(2), ...bytes(5, 5)]),
        'the urgent bytes are in-band',
      );
      assert.equal(d.conn.urgentPending, 0, 'normal mode');
      // A new run of urgent data is signalled again.
      const n = d.events.length;
      d.input(seg({ seq: 9011, ack: 1001, flags: ACK | URG, urgent: 1, payload: bytes(1) }), 50);
      assert.deepEqual(
        d.events.slice(n).map((e) => e.type),
        ['urgent', 'readable'],
      );
      assert.equal(d.conn.urgentPending, 1);
    },
  );

  test('ESTABLISHED URG pointer at or behind what was read → ignored, no event', T, () => {
    const d = established();
    d.input(seg({ seq: 9001, ack: 1001, flags: ACK, payload: bytes(5) }), 20);
    d.conn.read(undefined, 21);
    const n = d.events.length;
    d.input(seg({ seq: 9006, ack: 1001, flags: ACK | URG, urgent: 0, payload: bytes(2) }), 30);
    assert.deepEqual(
      d.events.slice(n).map((e) => e.type),
      ['readable'],
    );
    assert.equal(d.conn.urgentPending, 0);
  });

  test(
    'ESTABLISHED URG pointer beyond the data received → pending counts the bytes still to come',
    T,
    () => {
      const d = established();
      d.input(
        seg({ seq: 9001, ack: 1001, flags: ACK | URG, urgent: 300, payload: bytes(100) }),
        20,
      );
      assert.equal(d.conn.urgentPending, 300);
      assert.equal(d.conn.readableLength, 100);
      d.conn.read(undefined, 21);
      assert.equal(d.conn.urgentPending, 200, 'still in urgent mode: the rest has not arrived');
    },
  );

  test('ESTABLISHED our window 0, URG at RCV.NXT → urgent event, text dropped (MUST-66)', T, () => {
    const d = established({ receiveBufferSize: 1000, delayedAck: false });
    const full = d.input(seg({ seq: 9001, ack: 1001, flags: ACK, payload: bytes(1000) }), 20);
    assert.deepEqual(full.map(shapeUrg), [
      { seq: 1001, ack: 10001, flags: 'ACK', window: 0, len: 0, up: 0 },
    ]);
    const n = d.events.length;
    const out = d.input(
      seg({ seq: 10001, ack: 1001, flags: ACK | URG, urgent: 5, payload: bytes(1) }),
      30,
    );
    assert.deepEqual(out.map(shapeUrg), [
      { seq: 1001, ack: 10001, flags: 'ACK', window: 0, len: 0, up: 0 },
    ]);
    assert.deepEqual(
      d.events.slice(n).map((e) => e.type),
      ['urgent'],
    );
    assert.equal(
      d.conn.urgentPending,
      1005,
      'up to RCV.UP = 10006 from the first unread byte 9001',
    );
  });

  test('CLOSE-WAIT URG segment → ignored (the FIN came already)', T, () => {
    const d = established();
    d.input(seg({ seq: 9001, ack: 1001, flags: ACK | FIN }), 20);
    assert.equal(d.state, 'CLOSE-WAIT');
    const n = d.events.length;
    d.input(seg({ seq: 9002, ack: 1001, flags: ACK | URG, urgent: 10 }), 30);
    assert.deepEqual(d.events.slice(n), []);
    assert.equal(d.conn.urgentPending, 0);
  });

  test('Pair 100 + 10 urgent + 100 bytes → one urgent event, all 210 bytes in order', T, () => {
    const p = new Pair();
    p.run(() => p.a.state === 'ESTABLISHED' && p.b.state === 'ESTABLISHED', 100);
    const data = pseudoRandomBytes(210, 7);
    assert.equal(p.a.send(data.subarray(0, 100), p.now), 100);
    assert.equal(p.a.send(data.subarray(100, 110), p.now, { urgent: true }), 10);
    assert.equal(p.a.send(data.subarray(110), p.now), 100);
    p.flush();
    p.run(() => p.receivedBytes('b').length === 210, 10_000);
    assert.equal(sha256(p.receivedBytes('b')), sha256(data));
    assert.equal(p.events.b.filter((e) => e.type === 'urgent').length, 1);
    assert.equal(p.b.urgentPending, 0);
    assert.ok(
      p.segmentsFrom('a').some((s) => (s.flags & URG) !== 0 && s.seq + s.urgent === 1111),
      'SND.UP = ISS 1000 + 1 + 110',
    );
  });
});
