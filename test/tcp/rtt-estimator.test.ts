import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RttEstimator } from '../../src/tcp/rtt-estimator.js';

const rfc = { initialRto: 1000, minRto: 1000, maxRto: 60_000 };

describe('RttEstimator (RFC 6298)', () => {
  test('no sample → RTO = initial 1 s, srtt/rttvar undefined (§2.1)', () => {
    const e = new RttEstimator(rfc);
    assert.equal(e.rto, 1000);
    assert.equal(e.srtt, undefined);
    assert.equal(e.rttvar, undefined);
    assert.equal(e.backoffCount, 0);
  });

  test('first sample R → SRTT = R, RTTVAR = R/2, RTO = SRTT + max(G, 4·RTTVAR) (§2.2)', () => {
    const e = new RttEstimator({ initialRto: 1000, minRto: 0, maxRto: 60_000 });
    e.sample(100);
    assert.equal(e.srtt, 100);
    assert.equal(e.rttvar, 50);
    assert.equal(e.rto, 100 + 4 * 50);
  });

  test('later samples → RTTVAR from the old SRTT, then SRTT (§2.3), by hand', () => {
    const e = new RttEstimator({ initialRto: 1000, minRto: 0, maxRto: 60_000, granularity: 1 });
    e.sample(100); // srtt 100, rttvar 50
    e.sample(200);
    // rttvar = 3/4·50 + 1/4·|100 − 200| = 37.5 + 25 = 62.5; srtt = 7/8·100 + 1/8·200 = 112.5
    assert.equal(e.rttvar, 62.5);
    assert.equal(e.srtt, 112.5);
    assert.equal(e.rto, 112.5 + 4 * 62.5);
    e.sample(112.5);
    // rttvar = 3/4·62.5 + 0 = 46.875; srtt = 112.5
    assert.equal(e.rttvar, 46.875);
    assert.equal(e.srtt, 112.5);
    assert.equal(e.rto, 112.5 + 187.5);
  });

  test('steady RTT → RTTVAR decays until G dominates: RTO = SRTT + G', () => {
    const e = new RttEstimator({ initialRto: 1000, minRto: 0, maxRto: 60_000, granularity: 10 });
    for (let i = 0; i < 100; i++) e.sample(50);
    assert.equal(e.srtt, 50);
    assert.ok(e.rttvar! < 0.01);
    assert.equal(e.rto, 60);
  });

  test('computed RTO below minRto → rounded up to minRto (§2.4)', () => {
    const e = new RttEstimator(rfc);
    e.sample(10);
    assert.equal(e.rto, 1000);
  });

  test('computed RTO above maxRto → capped (§2.5)', () => {
    const e = new RttEstimator(rfc);
    e.sample(50_000); // 50 000 + 100 000
    assert.equal(e.rto, 60_000);
  });

  test('backoff → RTO doubles each time, bounded by maxRto (§5.5)', () => {
    const e = new RttEstimator(rfc);
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      e.backoff();
      seen.push(e.rto);
    }
    assert.deepEqual(seen, [2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    assert.equal(e.backoffCount, 8);
    for (let i = 0; i < 100; i++) e.backoff();
    assert.equal(e.rto, 60_000, 'many backoffs stay finite and capped');
  });

  test('sample after backoff → backoff cleared, RTO from the new estimate', () => {
    const e = new RttEstimator({ initialRto: 1000, minRto: 200, maxRto: 60_000 });
    e.backoff();
    e.backoff();
    assert.equal(e.rto, 4000);
    e.sample(100);
    assert.equal(e.backoffCount, 0);
    assert.equal(e.rto, 300);
  });

  test('resetBackoff → RTO back to the un-doubled value', () => {
    const e = new RttEstimator(rfc);
    e.sample(400); // 400 + 800 = 1200
    e.backoff();
    assert.equal(e.rto, 2400);
    e.resetBackoff();
    assert.equal(e.rto, 1200);
    assert.equal(e.backoffCount, 0);
  });

  test('SYN timed out, no sample → applySynTimeoutRule sets RTO to 3 s (§5.7)', () => {
    const e = new RttEstimator(rfc);
    e.backoff();
    e.applySynTimeoutRule();
    assert.equal(e.rto, 3000);
    e.sample(100);
    assert.equal(e.rto, 1000);
  });

  test('negative or NaN sample → ignored and counted', () => {
    const e = new RttEstimator(rfc);
    e.sample(-5);
    e.sample(Number.NaN);
    e.sample(Number.POSITIVE_INFINITY);
    assert.equal(e.srtt, undefined);
    assert.equal(e.rejectedSamples, 3);
    assert.equal(e.rto, 1000);
  });

  test('bad options → RangeError', () => {
    assert.throws(
      () => new RttEstimator({ initialRto: 1000, minRto: 2000, maxRto: 1000 }),
      RangeError,
    );
    assert.throws(() => new RttEstimator({ initialRto: -1, minRto: 0, maxRto: 1000 }), RangeError);
  });
});
