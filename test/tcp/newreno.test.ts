import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createCongestionControl } from '../../src/tcp/congestion.js';
import { NewReno, INITIAL_SSTHRESH } from '../../src/tcp/newreno.js';

const MSS = 1000;
const make = (initialWindowSegments = 0, mss = MSS): NewReno =>
  new NewReno({ mss, initialWindowSegments });

describe('NewReno (RFC 5681, RFC 6582)', () => {
  test('createCongestionControl("newreno") → a NewReno with the RFC 5681 initial window', () => {
    const cc = createCongestionControl('newreno', { mss: 1460, initialWindowSegments: 0 });
    assert.equal(cc.name, 'newreno');
    assert.ok(cc instanceof NewReno);
    assert.equal(cc.cwnd, 4380); // min(4·1460, max(2·1460, 4380))
    assert.equal(cc.ssthresh, INITIAL_SSTHRESH);
  });

  test('initial window → min(4·SMSS, max(2·SMSS, 4380)), or the configured segment count', () => {
    assert.equal(make(0, 536).cwnd, 2144); // 4·536
    assert.equal(make(0, 1000).cwnd, 4000);
    assert.equal(make(0, 1460).cwnd, 4380);
    assert.equal(make(0, 2500).cwnd, 5000); // 2·2500
    assert.equal(make(10, 1460).cwnd, 14_600);
  });

  test('setMss before any ACK → initial window recomputed; after growth → cwnd kept', () => {
    const cc = make(0, 536);
    cc.setMss(1460);
    assert.equal(cc.cwnd, 4380);
    cc.onAck(1460, 0);
    assert.equal(cc.cwnd, 5840);
    cc.setMss(1000);
    assert.equal(cc.cwnd, 5840);
    assert.equal(cc.mss, 1000);
  });

  test('slow start → cwnd += min(N, SMSS) per ACK (§3.1 eq. 2)', () => {
    const cc = make(); // IW 4000
    cc.onAck(1000, 0);
    assert.equal(cc.cwnd, 5000);
    cc.onAck(500, 0);
    assert.equal(cc.cwnd, 5500);
    cc.onAck(3000, 0); // a stretch ACK still adds only SMSS
    assert.equal(cc.cwnd, 6500);
    cc.onAck(0, 0);
    assert.equal(cc.cwnd, 6500);
  });

  test('congestion avoidance → +SMSS once a whole cwnd of bytes is ACKed (byte counting)', () => {
    const cc = make();
    cc.onTimeout(20_000, 0); // ssthresh 10 000, cwnd 1000
    for (let i = 0; i < 9; i++) cc.onAck(1000, 0); // slow start up to 10 000
    assert.equal(cc.cwnd, 10_000);
    assert.equal(cc.inSlowStart, false);
    for (let i = 0; i < 9; i++) cc.onAck(1000, 0);
    assert.equal(cc.cwnd, 10_000, '9000 of 10 000 bytes: no growth yet');
    cc.onAck(1000, 0);
    assert.equal(cc.cwnd, 11_000);
    for (let i = 0; i < 10; i++) cc.onAck(1000, 0);
    assert.equal(cc.cwnd, 11_000, '10 000 of 11 000 bytes');
    cc.onAck(1500, 0); // 11 500 ≥ 11 000: grow, 500 carried over
    assert.equal(cc.cwnd, 12_000);
    for (let i = 0; i < 11; i++) cc.onAck(1000, 0); // 500 + 11 000 = 11 500 < 12 000
    assert.equal(cc.cwnd, 12_000);
    cc.onAck(500, 0);
    assert.equal(cc.cwnd, 13_000);
  });

  test('fast retransmit / fast recovery walkthrough → exact cwnd and ssthresh at each step', () => {
    const cc = make();
    for (let i = 0; i < 6; i++) cc.onAck(1000, 0); // cwnd 10 000
    assert.equal(cc.cwnd, 10_000);
    // 3rd duplicate ACK with 10 segments in flight (§3.2 steps 2-3).
    cc.onEnterRecovery(10_000, 0);
    assert.equal(cc.ssthresh, 5000);
    assert.equal(cc.cwnd, 8000);
    // Each further duplicate ACK inflates by SMSS (step 4).
    cc.onDupAckInRecovery();
    cc.onDupAckInRecovery();
    assert.equal(cc.cwnd, 10_000);
    // Partial ACK of 2500 bytes (RFC 6582 step 5): −2500, +SMSS since 2500 ≥ SMSS.
    cc.onPartialAck(2500);
    assert.equal(cc.cwnd, 8500);
    // Partial ACK of 400 bytes: −400 only.
    cc.onPartialAck(400);
    assert.equal(cc.cwnd, 8100);
    // Full ACK, 6000 bytes still in flight (step 6): min(ssthresh, max(6000, SMSS) + SMSS).
    cc.onExitRecovery(6000);
    assert.equal(cc.cwnd, 5000);
    assert.equal(cc.ssthresh, 5000);
    // Then congestion avoidance (cwnd == ssthresh).
    cc.onAck(1000, 0);
    assert.equal(cc.cwnd, 5000);
  });

  test('exit recovery with little in flight → cwnd = FlightSize + SMSS (no burst)', () => {
    const cc = make();
    cc.onEnterRecovery(40_000, 0); // ssthresh 20 000
    cc.onExitRecovery(500);
    assert.equal(cc.cwnd, 2000); // max(500, 1000) + 1000
  });

  test('small FlightSize → ssthresh floored at 2·SMSS (eq. 4)', () => {
    const cc = make();
    cc.onEnterRecovery(1500, 0);
    assert.equal(cc.ssthresh, 2000);
    assert.equal(cc.cwnd, 5000);
    cc.onTimeout(3001, 0);
    assert.equal(cc.ssthresh, 2000);
  });

  test('odd FlightSize → ssthresh in whole bytes', () => {
    const cc = make();
    cc.onTimeout(10_001, 0);
    assert.equal(cc.ssthresh, 5000);
  });

  test('timeout → ssthresh = max(FlightSize/2, 2·SMSS), cwnd = 1 SMSS, then slow start again', () => {
    const cc = make();
    for (let i = 0; i < 16; i++) cc.onAck(1000, 0); // cwnd 20 000
    cc.onTimeout(16_000, 0);
    assert.equal(cc.ssthresh, 8000);
    assert.equal(cc.cwnd, 1000);
    assert.equal(cc.inSlowStart, true);
    cc.onAck(1000, 0);
    assert.equal(cc.cwnd, 2000);
  });

  test('partial ACK bigger than cwnd → cwnd not below 1 SMSS', () => {
    const cc = make();
    cc.onEnterRecovery(4000, 0); // ssthresh 2000, cwnd 5000
    cc.onPartialAck(9000);
    assert.equal(cc.cwnd, 1000);
  });

  test('idle restart → cwnd = min(IW, cwnd) (§4.1)', () => {
    const cc = make();
    for (let i = 0; i < 10; i++) cc.onAck(1000, 0); // 14 000
    cc.onIdleRestart(1000);
    assert.equal(cc.cwnd, 4000);
    cc.onTimeout(4000, 0); // cwnd 1000
    cc.onIdleRestart(1000);
    assert.equal(cc.cwnd, 1000, 'a window smaller than IW is kept');
  });

  test(
    'property: any event sequence → cwnd ≥ SMSS, ssthresh ≥ 2·SMSS after a loss, whole bytes',
    { timeout: 20_000 },
    () => {
      const ev = fc.oneof(
        fc.record({ k: fc.constant('ack' as const), n: fc.integer({ min: 0, max: 5000 }) }),
        fc.record({ k: fc.constant('enter' as const), n: fc.integer({ min: 0, max: 100_000 }) }),
        fc.record({ k: fc.constant('dup' as const), n: fc.constant(0) }),
        fc.record({ k: fc.constant('partial' as const), n: fc.integer({ min: 0, max: 20_000 }) }),
        fc.record({ k: fc.constant('exit' as const), n: fc.integer({ min: 0, max: 100_000 }) }),
        fc.record({ k: fc.constant('timeout' as const), n: fc.integer({ min: 0, max: 100_000 }) }),
        fc.record({ k: fc.constant('idle' as const), n: fc.constant(1000) }),
      );
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 9000 }),
          fc.integer({ min: 0, max: 10 }),
          fc.array(ev, { maxLength: 80 }),
          (mss, iw, events) => {
            const cc = make(iw, mss);
            let lost = false;
            for (const e of events) {
              if (e.k === 'ack') cc.onAck(e.n, 0);
              else if (e.k === 'enter') cc.onEnterRecovery(e.n, 0);
              else if (e.k === 'dup') cc.onDupAckInRecovery();
              else if (e.k === 'partial') cc.onPartialAck(e.n);
              else if (e.k === 'exit') cc.onExitRecovery(e.n);
              else if (e.k === 'timeout') cc.onTimeout(e.n, 0);
              else cc.onIdleRestart(e.n);
              if (e.k === 'enter' || e.k === 'timeout') lost = true;
              assert.ok(Number.isInteger(cc.cwnd) && cc.cwnd >= mss, `cwnd ${cc.cwnd}`);
              assert.ok(Number.isInteger(cc.ssthresh));
              if (lost) assert.ok(cc.ssthresh >= 2 * mss);
            }
          },
        ),
        { numRuns: 300, seed: 0x5681 },
      );
    },
  );

  test('bad mss or initial window → RangeError', () => {
    assert.throws(() => make(0, 0), RangeError);
    assert.throws(() => make(-1), RangeError);
    assert.throws(() => make().setMss(Number.NaN), RangeError);
  });
});
