/**
 * The TCB's parts made on first use (src/tcp/tcb-vars.ts, src/tcp/tcb.ts, the send and receive
 * buffers): an idle ESTABLISHED connection holds none of them — that is what keeps an idle endpoint small — and using a rare
 * feature (urgent data) makes them appear without changing a single segment.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ACK, URG, bytes, established, seg, shapeUrg } from './helpers.js';
import { Pair } from './pair.js';

const T = { timeout: 10_000 };

/**
 * An ESTABLISHED connection after the stack's usual poll: no timer runs, so pollTimeout lets the
 * timer table go (the handshake's retransmission timer made it).
 */
function idle(): ReturnType<typeof established> {
  const d = established();
  assert.deepEqual(d.conn.lazyParts(), ['timers']);
  assert.equal(d.conn.pollTimeout(), undefined);
  assert.deepEqual(d.conn.lazyParts(), []);
  return d;
}

describe('parts of the TCB made on first use', () => {
  test('a handshake and an exchange of data leave both ends holding none', T, () => {
    const p = new Pair({ delay: 10 });
    p.run();
    assert.equal(p.a.state, 'ESTABLISHED');
    assert.equal(p.b.state, 'ESTABLISHED');
    p.sendAll('a', bytes(3000));
    p.sendAll('b', bytes(500));
    p.run();
    assert.equal(p.receivedBytes('b').length, 3000);
    assert.equal(p.receivedBytes('a').length, 500);
    assert.equal(p.a.pollTimeout(), undefined);
    assert.equal(p.b.pollTimeout(), undefined);
    assert.deepEqual(p.a.lazyParts(), []);
    assert.deepEqual(p.b.lazyParts(), []);
  });

  test('the timer table and the send buffer exist while used, and go once not', T, () => {
    const d = idle();
    d.conn.send(bytes(100), 20);
    d.output(20);
    assert.deepEqual(d.conn.timerDeadlines(), [['retransmit', 1020]]);
    assert.deepEqual(d.conn.lazyParts(), ['timers', 'send-buffer']);
    // The ACK of all data stops the retransmission timer (RFC 6298 §5.2).
    assert.deepEqual(d.input(seg({ seq: 9001, ack: 1101, flags: ACK, window: 8000 }), 30), []);
    assert.equal(d.conn.pollTimeout(), undefined);
    assert.deepEqual(d.conn.lazyParts(), []);
  });

  test('urgent data makes the rarely used variables, with the exact segments', T, () => {
    const d = idle();
    d.conn.send(bytes(3), 20, { urgent: true });
    assert.deepEqual(d.conn.lazyParts(), ['rare-vars', 'send-buffer']);
    assert.deepEqual(d.output(20).map(shapeUrg), [
      { seq: 1001, ack: 9001, flags: 'PSH,ACK,URG', window: 8000, len: 3, up: 3 },
    ]);
    // SND.UP is forgotten once acknowledged: later segments carry no URG (§3.8.5).
    d.input(seg({ seq: 9001, ack: 1004, flags: ACK, window: 8000 }), 30);
    d.conn.send(bytes(2), 40);
    assert.deepEqual(d.output(40).map(shapeUrg), [
      { seq: 1004, ack: 9001, flags: 'PSH,ACK', window: 8000, len: 2, up: 0 },
    ]);
    assert.ok(d.conn.lazyParts().includes('rare-vars'));
  });

  test('a receiver makes them on the first URG and counts the urgent bytes', T, () => {
    const d = idle();
    assert.equal(d.conn.urgentPending, 0);
    d.input(
      seg({ seq: 9001, ack: 1001, flags: ACK | URG, window: 8000, urgent: 4, payload: bytes(6) }),
      20,
    );
    assert.equal(d.conn.urgentPending, 4);
    assert.ok(d.conn.lazyParts().includes('rare-vars'));
    assert.ok(d.conn.lazyParts().includes('receive-ring'));
    assert.deepEqual(d.conn.read(4, 20), bytes(4));
    assert.equal(d.conn.urgentPending, 0);
    // Everything read: the ring goes; the urgent variables stay (made once, kept).
    assert.deepEqual(d.conn.read(undefined, 20), bytes(6).subarray(4));
    assert.ok(!d.conn.lazyParts().includes('receive-ring'));
    assert.ok(d.conn.lazyParts().includes('rare-vars'));
  });
});

describe('TIME-WAIT lets its emptied buffers go', () => {
  test('the ACKs it sends offer the window they offered before; info() reads the same', T, () => {
    const p = new Pair();
    p.run(() => p.b.state === 'ESTABLISHED', 100);
    p.sendAll('a', bytes(700));
    p.sendAll('b', bytes(300));
    p.run(() => p.receivedBytes('a').length === 300 && p.receivedBytes('b').length === 700, 1000);
    p.advance(1000); // every delayed ACK sent
    // The window a offers with its buffer emptied by the reader, before it closes.
    const before = p.sent.filter((s) => s.from === 'a').at(-1)?.seg.window;
    assert.equal(p.a.readableLength, 0);
    p.a.close(p.now);
    p.flush();
    p.run(() => p.b.state === 'CLOSE-WAIT', 100);
    p.b.close(p.now);
    p.flush();
    // b's FIN comes twice (a's ACK of the first is lost): a answers both from TIME-WAIT.
    let lost = false;
    p.hook = (from) => {
      if (from === 'a' && p.a.state === 'TIME-WAIT' && !lost) {
        lost = true;
        return 'drop';
      }
      return undefined;
    };
    p.run(() => p.b.state === 'CLOSED', 1000);
    assert.equal(p.a.state, 'TIME-WAIT');
    const acks = p.sent.filter((s) => s.from === 'a').slice(-2);
    assert.equal(acks.length, 2);
    assert.deepEqual(acks[1]?.seg, acks[0]?.seg, 'the same ACK, window included');
    assert.equal(acks[0]?.seg.window, before, 'the window offered before TIME-WAIT');
    assert.deepEqual(p.receivedBytes('a'), bytes(300));
    const info = p.a.info();
    assert.equal(info.sendBuffered, 0);
    assert.equal(info.receiveBuffered, 0);
    assert.equal(p.a.readableLength, 0);
    assert.equal(p.a.writableLength, 0);
    assert.equal(p.a.send(bytes(1), p.now), 0);
    assert.deepEqual(p.a.read(undefined, p.now), new Uint8Array(0));
    assert.deepEqual(p.a.lazyParts(), ['timers']);
  });

  test('bytes the user has not read yet are kept, and read in TIME-WAIT', T, () => {
    const p = new Pair({ autoRead: false });
    p.run(() => p.b.state === 'ESTABLISHED', 100);
    p.sendAll('b', bytes(300));
    p.a.close(p.now);
    p.flush();
    p.run(() => p.b.state === 'CLOSE-WAIT', 100);
    p.b.close(p.now);
    p.flush();
    p.run(() => p.a.state === 'TIME-WAIT', 1000);
    assert.equal(p.a.readableLength, 300);
    assert.deepEqual(p.a.read(undefined, p.now), bytes(300));
    assert.equal(p.a.readableLength, 0);
  });
});
