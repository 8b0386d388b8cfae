/**
 * Data transfer between two engines with segments lost, duplicated and reordered: the RTO
 * (RFC 6298), fast retransmit (RFC 5681 §3.2) and NewReno partial ACKs (RFC 6582). Bytes are
 * compared by hash at both ends.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Pair, pseudoRandomBytes, sha256, type Sent } from './pair.js';
import { flagNames } from '../../src/wire/tcp-segment.js';

const T = { timeout: 10_000 };

function established(p: Pair): void {
  p.run(() => p.a.state === 'ESTABLISHED' && p.b.state === 'ESTABLISHED', 100);
  assert.equal(p.a.state, 'ESTABLISHED');
}

/** Data segments a sent, as [time, seq, length]. */
function dataFromA(p: Pair): Array<[number, number, number]> {
  return p.sent
    .filter((s: Sent) => s.from === 'a' && s.seg.payload.length > 0)
    .map((s) => [s.t, s.seg.seq, s.seg.payload.length]);
}

describe('loss recovery', () => {
  test('ESTABLISHED last segment lost → resent by the RTO, bytes intact', T, () => {
    const p = new Pair();
    established(p);
    const data = pseudoRandomBytes(2500, 3);
    let dropped = false;
    p.hook = (from, seg) => {
      if (from === 'a' && seg.seq === 3001 && !dropped) {
        dropped = true;
        return 'drop';
      }
      return undefined;
    };
    p.sendAll('a', data);
    p.run(() => p.a.info().bytesAcked === 2500, 1000);
    assert.equal(sha256(p.receivedBytes('b')), sha256(data));
    const sends = dataFromA(p).filter(([, s]) => s === 3001);
    assert.equal(sends.length, 2);
    // The retransmission comes one RTO (1 s, the RFC 6298 minimum) after the last ACK restarted it.
    assert.equal(sends[1]![0] - sends[0]![0] >= 1000, true);
    const info = p.a.info();
    assert.equal(info.totalRetransmits, 1);
    assert.equal(info.cwnd, 1000 + 500, 'loss window (1 MSS), then slow start by the bytes acked');
    assert.equal(info.retransmits, 0, 'the backoff ends with the ACK');
  });

  test(
    'ESTABLISHED one segment lost mid-window → fast retransmit on the third duplicate ACK',
    T,
    () => {
      const p = new Pair({ a: { initialWindowSegments: 10 }, b: { receiveBufferSize: 64_000 } });
      established(p);
      const data = pseudoRandomBytes(10_000, 4);
      let dropped = false;
      p.hook = (from, seg) => {
        if (from === 'a' && seg.seq === 2001 && !dropped) {
          dropped = true;
          return 'drop';
        }
        return undefined;
      };
      p.sendAll('a', data);
      p.run(() => p.a.info().bytesAcked === 10_000, 1000);
      assert.equal(sha256(p.receivedBytes('b')), sha256(data));
      // b's ACKs: 2001 then duplicates of it.
      const acksFromB = p.sent
        .filter((s) => s.from === 'b' && s.t > 20)
        .map((s) => s.seg.ack as number);
      assert.deepEqual(acksFromB.slice(0, 4), [2001, 2001, 2001, 2001]);
      const resend = dataFromA(p).filter(([, s]) => s === 2001);
      assert.equal(resend.length, 2);
      assert.ok(resend[1]![0] < 1000, 'resent long before any RTO');
      assert.equal(p.a.info().totalRetransmits, 1);
      // 10 segments in flight, 1001..2000 ACKed: FlightSize 9000 at the third duplicate ACK.
      assert.equal(p.a.info().ssthresh, 4500, 'ssthresh = FlightSize / 2 (RFC 5681 eq. 4)');
    },
  );

  test(
    'ESTABLISHED two segments lost in one window → NewReno partial ACK resends the second',
    T,
    () => {
      const p = new Pair({ a: { initialWindowSegments: 10 }, b: { receiveBufferSize: 64_000 } });
      established(p);
      const data = pseudoRandomBytes(10_000, 5);
      const dropped = new Set<number>();
      p.hook = (from, seg) => {
        if (from === 'a' && (seg.seq === 2001 || seg.seq === 5001) && !dropped.has(seg.seq)) {
          dropped.add(seg.seq);
          return 'drop';
        }
        return undefined;
      };
      p.sendAll('a', data);
      p.run(() => p.a.info().bytesAcked === 10_000, 1000);
      assert.equal(sha256(p.receivedBytes('b')), sha256(data));
      const sends = dataFromA(p);
      const rtx2001 = sends.filter(([, s]) => s === 2001);
      const rtx5001 = sends.filter(([, s]) => s === 5001);
      assert.equal(rtx2001.length, 2);
      assert.equal(rtx5001.length, 2);
      // The partial ACK (5001) arrives one round trip after the fast retransmit: 5001 is resent then.
      assert.equal(rtx5001[1]![0] - rtx2001[1]![0], 20);
      assert.equal(p.a.info().totalRetransmits, 2);
      assert.ok(rtx5001[1]![0] < 1000, 'no RTO was needed');
    },
  );

  test('ESTABLISHED lossy, duplicating, reordering path → 200 kB intact both ways', T, () => {
    const p = new Pair({
      a: { receiveBufferSize: 32_000 },
      b: { receiveBufferSize: 32_000 },
    });
    established(p);
    let x = 12345;
    const rnd = (): number => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x / 2 ** 32;
    };
    p.hook = () => {
      const r = rnd();
      if (r < 0.05) return 'drop';
      if (r < 0.08) return 'dup';
      if (r < 0.12) return { delay: 15 };
      return undefined;
    };
    const da = pseudoRandomBytes(200_000, 11);
    const db = pseudoRandomBytes(200_000, 12);
    p.sendAll('a', da);
    p.sendAll('b', db);
    p.a.close(p.now);
    p.b.close(p.now);
    p.flush();
    const done = p.run(() => p.a.state === 'CLOSED' && p.b.state === 'CLOSED', 500_000);
    assert.ok(done, `ended in ${p.a.state} / ${p.b.state}`);
    assert.equal(sha256(p.receivedBytes('b')), sha256(da));
    assert.equal(sha256(p.receivedBytes('a')), sha256(db));
    assert.ok(p.a.info().totalRetransmits > 0);
  });

  test(
    'ESTABLISHED every segment of the peer vanishes → RTO backoff doubles, then timed-out',
    T,
    () => {
      const p = new Pair({ a: { dataRetries: 3 } });
      established(p);
      p.hook = (from) => (from === 'a' ? 'drop' : undefined);
      p.a.send(pseudoRandomBytes(100), p.now);
      p.flush();
      const start = p.now;
      p.run(() => p.a.state === 'CLOSED', 1000);
      const times = dataFromA(p).map(([t]) => t - start);
      assert.deepEqual(times, [0, 1000, 3000, 7000]);
      assert.equal(p.now - start, 15_000);
      assert.equal(p.closedError('a'), 'timed-out');
      assert.ok(
        p.sent.filter((s) => s.from === 'a').every((s) => !flagNames(s.seg.flags).includes('RST')),
      );
    },
  );
});
