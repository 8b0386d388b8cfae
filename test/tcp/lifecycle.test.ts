/**
 * Whole connection lives between two engines: half-close, simultaneous open and close, sequence
 * numbers wrapping past 2^32, TIME-WAIT answering a lost last ACK, refusal and reset.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Pair, pseudoRandomBytes, sha256 } from './pair.js';
import { shape } from './helpers.js';
import type { TcpState } from '../../src/tcp/state.js';

const T = { timeout: 10_000 };

function states(p: Pair, side: 'a' | 'b'): string[] {
  return p.events[side].flatMap((e) => (e.type === 'state' ? [`${e.from}>${e.to}`] : []));
}

describe('lifecycle', () => {
  test('ESTABLISHED half-close → the closed side keeps receiving 50 kB in FIN-WAIT-2', T, () => {
    const p = new Pair();
    p.run(() => p.b.state === 'ESTABLISHED', 100);
    const up = pseudoRandomBytes(3000, 41);
    const down = pseudoRandomBytes(50_000, 42);
    p.sendAll('a', up);
    p.a.close(p.now);
    p.flush();
    p.run(() => p.a.state === 'FIN-WAIT-2' && p.b.state === 'CLOSE-WAIT', 1000);
    assert.equal(p.a.state, 'FIN-WAIT-2');
    assert.equal(p.b.state, 'CLOSE-WAIT');
    assert.ok(p.events.b.some((e) => e.type === 'peer-fin'));
    p.sendAll('b', down);
    p.b.close(p.now);
    p.flush();
    p.run(() => p.a.state === 'CLOSED' && p.b.state === 'CLOSED');
    assert.equal(sha256(p.receivedBytes('b')), sha256(up));
    assert.equal(sha256(p.receivedBytes('a')), sha256(down));
    assert.deepEqual(states(p, 'a').slice(-3), [
      'FIN-WAIT-1>FIN-WAIT-2',
      'FIN-WAIT-2>TIME-WAIT',
      'TIME-WAIT>CLOSED',
    ]);
    assert.deepEqual(states(p, 'b').slice(-2), ['CLOSE-WAIT>LAST-ACK', 'LAST-ACK>CLOSED']);
    assert.equal(p.closedError('a'), undefined);
    assert.equal(p.closedError('b'), undefined);
  });

  test('CLOSED simultaneous open → SYNs cross, SYN,ACKs cross, both ESTABLISHED', T, () => {
    const p = new Pair({ simultaneous: true });
    p.run(() => p.a.state === 'ESTABLISHED' && p.b.state === 'ESTABLISHED', 100);
    assert.deepEqual(
      p.sent.map((s) => [s.t, s.from, shape(s.seg)]),
      [
        [0, 'a', { seq: 1000, ack: 0, flags: 'SYN', window: 8000, len: 0 }],
        [0, 'b', { seq: 5000, ack: 0, flags: 'SYN', window: 8000, len: 0 }],
        [10, 'b', { seq: 5000, ack: 1001, flags: 'SYN,ACK', window: 8000, len: 0 }],
        [10, 'a', { seq: 1000, ack: 5001, flags: 'SYN,ACK', window: 8000, len: 0 }],
      ],
    );
    assert.deepEqual(states(p, 'a'), [
      'CLOSED>SYN-SENT',
      'SYN-SENT>SYN-RECEIVED',
      'SYN-RECEIVED>ESTABLISHED',
    ]);
    const data = pseudoRandomBytes(10_000, 43);
    p.sendAll('b', data);
    p.run(() => p.b.info().bytesAcked === data.length, 10_000);
    assert.equal(sha256(p.receivedBytes('a')), sha256(data));
  });

  test('ESTABLISHED simultaneous close → FINs cross, CLOSING, TIME-WAIT, CLOSED', T, () => {
    const p = new Pair();
    p.run(() => p.b.state === 'ESTABLISHED', 100);
    p.a.close(p.now);
    p.b.close(p.now);
    p.flush();
    const seen = { a: new Set<TcpState>(), b: new Set<TcpState>() };
    p.run(() => {
      seen.a.add(p.a.state);
      seen.b.add(p.b.state);
      return p.a.state === 'TIME-WAIT' && p.b.state === 'TIME-WAIT';
    }, 100);
    assert.deepEqual(states(p, 'a').slice(-3), [
      'ESTABLISHED>FIN-WAIT-1',
      'FIN-WAIT-1>CLOSING',
      'CLOSING>TIME-WAIT',
    ]);
    assert.deepEqual(states(p, 'b').slice(-3), [
      'ESTABLISHED>FIN-WAIT-1',
      'FIN-WAIT-1>CLOSING',
      'CLOSING>TIME-WAIT',
    ]);
    const start = p.now;
    p.run(() => p.a.state === 'CLOSED' && p.b.state === 'CLOSED');
    assert.equal(p.now - start, 60_000, '2·MSL');
  });

  test('TIME-WAIT last ACK lost → peer resends FIN, re-ACKed, timer restarted', T, () => {
    const p = new Pair();
    p.run(() => p.b.state === 'ESTABLISHED', 100);
    p.a.close(p.now);
    p.flush();
    p.run(() => p.b.state === 'CLOSE-WAIT', 100);
    p.b.close(p.now);
    p.flush();
    let lost = false;
    p.hook = (from, s) => {
      if (from === 'a' && p.a.state === 'TIME-WAIT' && !lost && s.ack === 5002) {
        lost = true;
        return 'drop';
      }
      return undefined;
    };
    p.run(() => p.a.state === 'TIME-WAIT', 100);
    const entered = p.now;
    p.run(() => p.b.state === 'CLOSED', 100);
    const finRetransmit = p.sent.filter((s) => s.from === 'b' && s.seg.flags & 1);
    assert.equal(finRetransmit.length, 2, 'FIN sent twice');
    const reacked = p.now - 10;
    p.run(() => p.a.state === 'CLOSED');
    assert.ok(reacked > entered);
    assert.equal(p.now, reacked + 60_000, 'TIME-WAIT restarted when the FIN came again');
  });

  test(
    'ESTABLISHED sequence numbers wrap past 2^32 → 300 kB intact both ways, with loss',
    T,
    () => {
      const p = new Pair({ issA: 0xffff_ffff - 5000, issB: 0xffff_ff00 });
      let n = 0;
      p.hook = () => (++n % 17 === 0 ? 'drop' : undefined);
      p.run(() => p.a.state === 'ESTABLISHED' && p.b.state === 'ESTABLISHED', 1000);
      const da = pseudoRandomBytes(300_000, 44);
      const db = pseudoRandomBytes(300_000, 45);
      p.sendAll('a', da);
      p.sendAll('b', db);
      p.a.close(p.now);
      p.b.close(p.now);
      p.flush();
      assert.ok(p.run(() => p.a.state === 'CLOSED' && p.b.state === 'CLOSED'));
      assert.equal(sha256(p.receivedBytes('b')), sha256(da));
      assert.equal(sha256(p.receivedBytes('a')), sha256(db));
      assert.equal(p.a.info().sndUna, (0xffff_ffff - 5000 + 1 + 300_000 + 1) >>> 0);
    },
  );

  test('ESTABLISHED peer aborts → RST, this side CLOSED with reset', T, () => {
    const p = new Pair();
    p.run(() => p.b.state === 'ESTABLISHED', 100);
    p.b.abort(p.now);
    p.flush();
    p.run(() => p.a.state === 'CLOSED', 100);
    assert.equal(p.closedError('a'), 'reset');
    assert.equal(p.closedError('b'), 'aborted');
  });

  test('LISTEN closed before the SYN arrives → RST answers it, connector refused', T, () => {
    const p = new Pair();
    p.b.close(0);
    p.run(() => p.a.state === 'CLOSED', 100);
    assert.equal(p.closedError('a'), 'refused');
    assert.deepEqual(
      p.sent.map((s) => [s.from, shape(s.seg).flags]),
      [
        ['a', 'SYN'],
        ['b', 'RST,ACK'],
      ],
    );
  });

  test(
    'FIN-WAIT-2 peer never closes → CLOSED after finWait2Timeout, peer left in CLOSE-WAIT',
    T,
    () => {
      const p = new Pair({ a: { finWait2Timeout: 5000 } });
      p.run(() => p.b.state === 'ESTABLISHED', 100);
      p.a.close(p.now);
      p.flush();
      p.run(() => p.a.state === 'FIN-WAIT-2', 100);
      const entered = p.now;
      p.run(() => p.a.state === 'CLOSED', 100);
      assert.equal(p.now - entered, 5000);
      assert.equal(p.closedError('a'), 'timed-out');
      assert.equal(p.b.state, 'CLOSE-WAIT');
      // The peer closes late: its FIN reaches a deleted TCB and is answered by a reset.
      p.b.close(p.now);
      p.flush();
      p.run(() => p.b.state === 'CLOSED', 100);
      assert.equal(p.closedError('b'), 'reset');
    },
  );

  test(
    'SYN-SENT every SYN lost → 1 + synRetries SYNs with doubling gaps, then timed-out',
    T,
    () => {
      const p = new Pair({
        a: { synRetries: 3 },
        hook: (from) => (from === 'a' ? 'drop' : undefined),
      });
      p.run(() => p.a.state === 'CLOSED', 100);
      assert.deepEqual(
        p.sent.filter((s) => s.from === 'a').map((s) => [s.t, shape(s.seg).flags]),
        [
          [0, 'SYN'],
          [1000, 'SYN'],
          [3000, 'SYN'],
          [7000, 'SYN'],
        ],
      );
      assert.equal(p.now, 15_000);
      assert.equal(p.closedError('a'), 'timed-out');
      assert.equal(p.b.state, 'LISTEN');
    },
  );
});
