/**
 * What a connection keeps in TIME-WAIT (RFC 9293 §3.10.7.4): once the stack has polled it, only
 * the 2·MSL deadline (no timer table), the RTT estimator's figures (no estimator) and a settled,
 * shared congestion state (no NewReno). It must behave exactly as before: a retransmitted FIN is
 * re-ACKed and restarts 2·MSL, a RST at RCV.NXT deletes the TCB, info() reports the figures it
 * had. And what moved for it: the estimator keeps when the timed segment and the last data left.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ACK, FIN, RST, bytes, established, seg, shape, type Driver } from './helpers.js';
import { NewReno } from '../../src/tcp/newreno.js';
import { SettledCongestion } from '../../src/tcp/settled-cc.js';
import { RttEstimator, type RttFigures } from '../../src/tcp/rtt-estimator.js';
import type { TcpInfo } from '../../src/tcp/tcp-info.js';

const T = { timeout: 10_000 };
const TWO_MSL = 60_000;

type Figures = Pick<TcpInfo, 'srtt' | 'rttvar' | 'rto' | 'cwnd' | 'ssthresh'>;
function figures(i: TcpInfo): Figures {
  return { srtt: i.srtt, rttvar: i.rttvar, rto: i.rto, cwnd: i.cwnd, ssthresh: i.ssthresh };
}

/**
 * ISS 1000, the peer's 9000: 100 bytes sent and ACKed (cwnd grows, RTT samples at fractional
 * times), our FIN ACKed, then the peer's FIN at 60.5: TIME-WAIT. Returns the ACK of that FIN and
 * the figures just before it came.
 */
function timeWait(): { d: Driver; ack: ReturnType<typeof shape>; before: Figures } {
  const d = established();
  d.conn.send(bytes(100), 20.25);
  assert.equal(d.output(20.25).length, 1);
  d.input(seg({ seq: 9001, ack: 1101, flags: ACK }), 35.75);
  d.conn.close(40);
  assert.equal(shape(d.output(40)[0]!).flags, 'FIN,ACK');
  d.input(seg({ seq: 9001, ack: 1102, flags: ACK }), 50);
  assert.equal(d.state, 'FIN-WAIT-2');
  const before = figures(d.conn.info());
  const out = d.input(seg({ seq: 9001, ack: 1102, flags: FIN | ACK }), 60.5);
  assert.equal(d.state, 'TIME-WAIT');
  assert.equal(out.length, 1);
  return { d, ack: shape(out[0]!), before };
}

describe('TIME-WAIT holds little and behaves the same', () => {
  test('the stack polled it: 2·MSL alone is left, as a deadline', T, () => {
    const { d } = timeWait();
    assert.deepEqual(d.conn.timerDeadlines(), [['time-wait', 60.5 + TWO_MSL]]);
    assert.equal(d.conn.pollTimeout(), 60.5 + TWO_MSL);
    assert.deepEqual(d.conn.timerDeadlines(), [['time-wait', 60.5 + TWO_MSL]]);
    assert.deepEqual(d.conn.lazyParts(), ['timers']);
    assert.equal(d.conn.pollTimeout(), 60.5 + TWO_MSL, 'asked again: the same');
  });

  test('a retransmitted FIN is re-ACKed and restarts 2·MSL; CLOSED at the new deadline', T, () => {
    const { d, ack } = timeWait();
    d.conn.pollTimeout();
    const again = d.input(seg({ seq: 9001, ack: 1102, flags: FIN | ACK }), 1000.5);
    assert.deepEqual(
      again.map((s) => shape(s)),
      [ack],
      'the same ACK',
    );
    assert.deepEqual(d.drops(), ['duplicate']);
    assert.equal(d.conn.pollTimeout(), 1000.5 + TWO_MSL);
    assert.deepEqual(d.conn.timerDeadlines(), [['time-wait', 1000.5 + TWO_MSL]]);
    // The first deadline passes: nothing happens.
    assert.deepEqual(d.tick(60.5 + TWO_MSL), []);
    assert.equal(d.state, 'TIME-WAIT');
    assert.deepEqual(d.tick(1000.5 + TWO_MSL - 1), []);
    assert.equal(d.state, 'TIME-WAIT');
    assert.deepEqual(d.tick(1000.5 + TWO_MSL), []);
    assert.equal(d.state, 'CLOSED');
    assert.deepEqual(d.closedEvents(), [{ type: 'closed' }]);
    assert.equal(d.conn.pollTimeout(), undefined);
    assert.deepEqual(d.conn.timerDeadlines(), []);
    assert.deepEqual(d.conn.lazyParts(), []);
  });

  test('a RST at RCV.NXT deletes the TCB, no error; one out of order is challenged', T, () => {
    const { d } = timeWait();
    d.conn.pollTimeout();
    const challenge = d.input(seg({ seq: 9012, flags: RST }), 100);
    assert.deepEqual(
      challenge.map((s) => shape(s)),
      [{ seq: 1102, ack: 9002, flags: 'ACK', window: 8000, len: 0 }],
    );
    assert.equal(d.state, 'TIME-WAIT');
    assert.equal(d.conn.pollTimeout(), 60.5 + TWO_MSL, 'the 2·MSL deadline is unchanged');
    assert.deepEqual(d.input(seg({ seq: 9002, flags: RST }), 200), []);
    assert.equal(d.state, 'CLOSED');
    assert.deepEqual(d.closedEvents(), [{ type: 'closed' }]);
    assert.equal(d.conn.pollTimeout(), undefined);
  });

  test(
    'info() reports the RTT and congestion figures it had; an ICMP too-big changes none',
    T,
    () => {
      const { d, before } = timeWait();
      assert.equal(before.srtt !== undefined && !Number.isInteger(before.srtt), true);
      assert.ok(before.cwnd > 0);
      d.conn.pollTimeout();
      assert.deepEqual(figures(d.conn.info()), before);
      d.conn.handlePathMtu(576, 300);
      assert.deepEqual(figures(d.conn.info()), before);
      assert.equal(d.conn.info().sndMss, 536);
      assert.deepEqual(d.output(300), []);
    },
  );
});

describe('SettledCongestion', () => {
  test('NewReno settles to a shared instance with its cwnd and ssthresh', () => {
    const a = new NewReno({ mss: 1000, initialWindowSegments: 0 });
    const b = new NewReno({ mss: 1000, initialWindowSegments: 0 });
    a.onAck(100, 0);
    b.onAck(100, 0);
    const sa = a.settle();
    assert.ok(sa instanceof SettledCongestion);
    assert.equal(sa, b.settle(), 'the same figures: one instance');
    assert.deepEqual([sa.name, sa.cwnd, sa.ssthresh], ['newreno', a.cwnd, a.ssthresh]);
    assert.equal(sa.settle(), sa);
    b.onTimeout(5000, 0);
    const sb = b.settle();
    assert.notEqual(sb, sa);
    assert.deepEqual([sb.cwnd, sb.ssthresh], [1000, 2500]);
  });

  test('an untouched NewReno is kept: a new SMSS would still move its cwnd', () => {
    const cc = new NewReno({ mss: 1000, initialWindowSegments: 0 });
    assert.equal(cc.settle(), cc);
    cc.settle().setMss(500);
    assert.equal(cc.cwnd, 2000);
  });

  test('setMss is ignored; any other event is an engine bug', () => {
    const s = SettledCongestion.of('newreno', 4101, 0x7fffffff);
    s.setMss(536);
    assert.deepEqual([s.cwnd, s.ssthresh], [4101, 0x7fffffff]);
    assert.throws(() => s.onAck(1, 0), /engine bug/);
    assert.throws(() => s.onEnterRecovery(1, 0), /engine bug/);
    assert.throws(() => s.onDupAckInRecovery(), /engine bug/);
    assert.throws(() => s.onPartialAck(1), /engine bug/);
    assert.throws(() => s.onExitRecovery(1), /engine bug/);
    assert.throws(() => s.onTimeout(1, 0), /engine bug/);
    assert.throws(() => s.onIdleRestart(1000), /engine bug/);
  });
});

describe('RttEstimator.settle', () => {
  test('the figures as they were, for good', () => {
    const r = new RttEstimator({ initialRto: 1000, minRto: 200, maxRto: 60_000 });
    assert.deepEqual(pick(r.settle()), [undefined, undefined, 1000]);
    r.sample(100.5);
    r.sample(80.25);
    r.backoff();
    const s = r.settle();
    assert.deepEqual(pick(s), [r.srtt, r.rttvar, r.rto]);
    r.sample(10);
    assert.notEqual(s.srtt, r.srtt, 'a copy: the estimator goes on without it');
  });
});

describe('RttEstimator: the timed segment and the last send', () => {
  test('sampleTimed samples from startTiming; idleness counts from noteSend against the RTO', () => {
    const r = new RttEstimator({ initialRto: 1000, minRto: 200, maxRto: 60_000 });
    r.noteSend(5.5);
    assert.equal(r.idleLongerThanRto(1005.5), false, 'exactly one RTO: not longer');
    assert.equal(r.idleLongerThanRto(1005.75), true);
    r.startTiming(10.25);
    r.noteSend(10.25);
    r.sampleTimed(110.75);
    assert.equal(r.srtt, 100.5);
    assert.equal(r.rto, 301.5);
    assert.equal(r.idleLongerThanRto(311.75), false);
    assert.equal(r.idleLongerThanRto(311.76), true);
  });
});

describe('RFC 5681 §4.1: cwnd restarts after an idle RTO (the estimator keeps the last send)', () => {
  for (const idle of [false, true]) {
    test(
      `data again ${idle ? 'more than' : 'exactly'} one RTO after the last → ${idle ? 'IW' : 'cwnd'}`,
      T,
      () => {
        const d = established();
        d.conn.send(bytes(4000), 20);
        assert.equal(d.output(20).length, 4, 'the initial window: 4 segments');
        d.input(seg({ seq: 9001, ack: 5001, flags: ACK, window: 8000 }), 30);
        const { rto, cwnd } = d.conn.info();
        assert.equal(cwnd, 5000);
        const at = 20 + rto + (idle ? 0.5 : 0);
        d.conn.send(bytes(8000), at);
        assert.equal(d.output(at).length, idle ? 4 : 5);
        assert.equal(d.conn.info().cwnd, idle ? 4000 : 5000);
      },
    );
  }
});

function pick(f: RttFigures): Array<number | undefined> {
  return [f.srtt, f.rttvar, f.rto];
}
