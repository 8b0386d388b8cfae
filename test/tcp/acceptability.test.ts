/**
 * Segment acceptability (RFC 9293 §3.10.7.4 first check, trimming) and the RFC 5961 defences:
 * challenge ACKs for in-window RSTs, SYNs and out-of-range ACKs, and their rate limit.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { resetFor } from '../../src/tcp/reset.js';
import { ACK, FIN, RST, SYN, bytes, established, seg, shape } from './helpers.js';

const T = { timeout: 5000 };
const CHALLENGE = { seq: 1001, ack: 9001, flags: 'ACK', window: 8000, len: 0 };

describe('RFC 5961 challenge ACKs', () => {
  test('ESTABLISHED RST in window, not at RCV.NXT → challenge ACK, stays ESTABLISHED', T, () => {
    const d = established();
    const out = d.input(seg({ seq: 9500, flags: RST }), 100);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [CHALLENGE],
    );
    assert.equal(d.state, 'ESTABLISHED');
    assert.deepEqual(d.drops(), ['rst-challenged']);
  });

  test('ESTABLISHED RST outside the window → silently dropped', T, () => {
    const d = established();
    assert.deepEqual(d.input(seg({ seq: 9001 + 8000, flags: RST }), 100), []);
    assert.deepEqual(d.input(seg({ seq: 8000, flags: RST }), 100), []);
    assert.equal(d.state, 'ESTABLISHED');
    assert.deepEqual(d.drops(), ['rst-out-of-window', 'rst-out-of-window']);
  });

  test('ESTABLISHED SYN (any sequence number) → challenge ACK, stays ESTABLISHED', T, () => {
    const d = established();
    for (const s of [9001, 9000, 123, 9500]) {
      const out = d.input(seg({ seq: s, flags: SYN }), 100);
      assert.deepEqual(
        out.map((x) => shape(x)),
        [CHALLENGE],
      );
    }
    assert.equal(d.state, 'ESTABLISHED');
    assert.deepEqual(d.drops(), Array(4).fill('syn-challenged'));
  });

  test('ESTABLISHED ACK of data never sent → challenge ACK, dropped', T, () => {
    const d = established();
    const out = d.input(seg({ seq: 9001, ack: 5000, flags: ACK, payload: bytes(10) }), 100);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [CHALLENGE],
    );
    assert.equal(d.conn.readableLength, 0, 'the text of the segment is not taken');
    assert.deepEqual(d.drops(), ['ack-challenged']);
  });

  test('ESTABLISHED ACK older than SND.UNA − MAX.SND.WND → challenge ACK', T, () => {
    const d = established();
    const out = d.input(seg({ seq: 9001, ack: 1001 - 8001, flags: ACK }), 100);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [CHALLENGE],
    );
    // Within MAX.SND.WND behind: just an old ACK, accepted silently.
    assert.deepEqual(d.input(seg({ seq: 9001, ack: 1001 - 8000, flags: ACK }), 100), []);
    assert.deepEqual(d.drops(), ['ack-challenged']);
  });

  test('ESTABLISHED challenge ACKs beyond challengeAckLimit a second → not sent', T, () => {
    const d = established({ challengeAckLimit: 2 });
    const sent = [100, 200, 300, 400].map((t) => d.input(seg({ seq: 9500, flags: RST }), t).length);
    assert.deepEqual(sent, [1, 1, 0, 0]);
    assert.equal(d.input(seg({ seq: 9500, flags: RST }), 1100).length, 1, 'a new second');
    assert.equal(d.drops().length, 5, 'every one of them is still reported as dropped');
  });
});

describe('acceptability and trimming', () => {
  test('ESTABLISHED segment entirely before RCV.NXT → ACK, dropped as duplicate', T, () => {
    const d = established();
    d.input(seg({ seq: 9001, ack: 1001, flags: ACK, payload: bytes(100) }), 100);
    d.fireNext();
    const out = d.input(seg({ seq: 9001, ack: 1001, flags: ACK, payload: bytes(100) }), 200);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1001, ack: 9101, flags: 'ACK', window: 7900, len: 0 }],
    );
    assert.deepEqual(d.drops(), ['duplicate']);
    assert.equal(d.conn.readableLength, 100);
  });

  test('ESTABLISHED segment beyond the window → ACK, dropped as not acceptable', T, () => {
    const d = established();
    const out = d.input(seg({ seq: 9001 + 9000, ack: 1001, flags: ACK, payload: bytes(10) }), 100);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [CHALLENGE],
    );
    assert.deepEqual(d.drops(), ['not-acceptable']);
  });

  test('ESTABLISHED segment overlapping RCV.NXT → old part trimmed, new part taken, ACK', T, () => {
    const d = established();
    const data = bytes(200);
    d.input(seg({ seq: 9001, ack: 1001, flags: ACK, payload: data.subarray(0, 100) }), 100);
    const out = d.input(seg({ seq: 9051, ack: 1001, flags: ACK, payload: data.subarray(50) }), 110);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1001, ack: 9201, flags: 'ACK', window: 7800, len: 0 }],
    );
    assert.deepEqual(d.conn.read(), data);
  });

  test('ESTABLISHED segment past the right edge → excess and its FIN trimmed', T, () => {
    const d = established({ receiveBufferSize: 1000, delayedAck: false });
    const out = d.input(seg({ seq: 9001, ack: 1001, flags: ACK | FIN, payload: bytes(1500) }), 100);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1001, ack: 10001, flags: 'ACK', window: 0, len: 0 }],
    );
    assert.equal(d.state, 'ESTABLISHED', 'the FIN was beyond the window');
    assert.equal(d.conn.readableLength, 1000);
  });

  test('ESTABLISHED segment without ACK → dropped', T, () => {
    const d = established();
    assert.deepEqual(d.input(seg({ seq: 9001, flags: 0, payload: bytes(10) }), 100), []);
    assert.deepEqual(d.drops(), ['no-ack']);
    assert.equal(d.conn.readableLength, 0);
  });

  test('ESTABLISHED window update only from a newer segment (SND.WL1/SND.WL2)', T, () => {
    const d = established();
    d.input(seg({ seq: 9001, ack: 1001, flags: ACK, window: 5000 }), 100);
    assert.equal(d.conn.info().sndWnd, 5000);
    d.input(seg({ seq: 9001, ack: 1001, flags: ACK, payload: bytes(10), window: 6000 }), 110);
    assert.equal(d.conn.info().sndWnd, 6000);
    // An old segment (SEG.SEQ < SND.WL1) does not move the window back.
    d.input(seg({ seq: 9001, ack: 1001, flags: ACK, window: 100 }), 120);
    assert.equal(d.conn.info().sndWnd, 6000);
  });
});

describe('resetFor (§3.10.7.1)', () => {
  test('segment with ACK → <SEQ=SEG.ACK><CTL=RST>, ports swapped', T, () => {
    const r = resetFor(seg({ seq: 5, ack: 77, flags: ACK, srcPort: 1, dstPort: 2 }));
    assert.ok(r);
    assert.deepEqual(shape(r), { seq: 77, ack: 0, flags: 'RST', window: 0, len: 0 });
    assert.equal(r.srcPort, 2);
    assert.equal(r.dstPort, 1);
  });

  test('SYN without ACK, with data → <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>', T, () => {
    const r = resetFor(seg({ seq: 0xffff_fffe, flags: SYN | FIN, payload: bytes(3) }));
    assert.ok(r);
    assert.deepEqual(shape(r), { seq: 0, ack: 3, flags: 'RST,ACK', window: 0, len: 0 });
  });

  test('RST → nothing', T, () => {
    assert.equal(resetFor(seg({ seq: 1, flags: RST | ACK })), undefined);
  });

  test('CLOSED connection rcv segment → reset answers it', T, () => {
    const d = established();
    d.conn.abort(10);
    d.output(10);
    const out = d.input(seg({ seq: 9001, ack: 1001, flags: ACK }), 20);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 1001, ack: 0, flags: 'RST', window: 0, len: 0 }],
    );
    assert.deepEqual(d.drops(), ['closed']);
  });
});
