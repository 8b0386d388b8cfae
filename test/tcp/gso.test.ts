/**
 * The engine's GSO segments (src/stack/link-offload.ts): with a GSO budget, new data leaves in one
 * segment of up to k·MSS that the windows, Nagle and SWS avoidance bound as a whole; retransmissions
 * stay at one SMSS; the receiver ACKs a large segment at once; slow start grows as it would if the
 * pieces had been sent one by one.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { TcpSegment } from '../../src/wire/tcp-segment.js';
import { ACK, acceptedConn, bytes, established, seg, shape, type Driver } from './helpers.js';

/** GSO budget as the stack passes it for a 64 KiB IPv4 link. */
const GSO_BYTES = 65535 - 20 - 60;
const GSO_SEGS = 64;

function gsoOutput(d: Driver, now: number): TcpSegment[] {
  const out: TcpSegment[] = [];
  for (let s = d.conn.pollTransmit(now, GSO_BYTES, GSO_SEGS); s;) {
    out.push(s);
    s = d.conn.pollTransmit(now, GSO_BYTES, GSO_SEGS);
  }
  d.collect();
  return out;
}

describe('GSO segments from the engine', () => {
  test('cwnd bounds the whole: IW of 4 MSS leaves as one 4000-byte segment', () => {
    const d = established();
    d.conn.send(bytes(10_000), 20);
    assert.deepEqual(
      gsoOutput(d, 20).map((s) => shape(s)),
      [{ seq: 1001, ack: 9001, flags: 'ACK', window: 8000, len: 4000 }],
    );
    // The same data one by one: four MSS-sized segments.
    const e = established();
    e.conn.send(bytes(10_000), 20);
    assert.deepEqual(
      e.output(20).map((s) => s.payload.length),
      [1000, 1000, 1000, 1000],
    );
  });

  test('the payload is the bytes in order', () => {
    const d = established();
    const data = bytes(3000);
    d.conn.send(data, 20);
    const [s] = gsoOutput(d, 20);
    assert.deepEqual(s!.payload, data);
    assert.equal(shape(s!).flags, 'PSH,ACK'); // it ends at the end of the queued data
  });

  test('a short tail that Nagle lets go rides along (all the queued data)', () => {
    const d = established();
    d.conn.send(bytes(3500), 20);
    assert.deepEqual(
      gsoOutput(d, 20).map((s) => shape(s)),
      [{ seq: 1001, ack: 9001, flags: 'PSH,ACK', window: 8000, len: 3500 }],
    );
  });

  test('a short tail that SWS avoidance would hold is cut off: full-sized pieces only', () => {
    // The peer offers 3500 bytes: one by one, 3 × 1000 go and the 500-byte remainder waits
    // (§3.8.6.2.1: not all the data, and less than half the largest window).
    const d = established({}, 3500);
    d.conn.send(bytes(10_000), 20);
    assert.deepEqual(
      gsoOutput(d, 20).map((s) => shape(s)),
      [{ seq: 1001, ack: 9001, flags: 'ACK', window: 8000, len: 3000 }],
    );
  });

  test('the GSO budget caps a segment at k·MSS', () => {
    const d = established();
    d.conn.send(bytes(10_000), 20);
    const out: number[] = [];
    for (let s = d.conn.pollTransmit(20, 2500, 64); s; s = d.conn.pollTransmit(20, 2500, 64)) {
      out.push(s.payload.length);
    }
    assert.deepEqual(out, [2000, 2000]); // floor(2500 / 1000) = 2 MSS each, cwnd 4000
    const e = established();
    e.conn.send(bytes(10_000), 20);
    const segs: number[] = [];
    for (
      let s = e.conn.pollTransmit(20, GSO_BYTES, 3);
      s;
      s = e.conn.pollTransmit(20, GSO_BYTES, 3)
    ) {
      segs.push(s.payload.length);
    }
    assert.deepEqual(segs, [3000, 1000]); // gsoSegs = 3
  });

  test('a retransmission after a timeout is one SMSS, and so is the go-back-N that follows', () => {
    const d = established();
    d.conn.send(bytes(10_000), 20);
    assert.deepEqual(
      gsoOutput(d, 20).map((s) => s.payload.length),
      [4000],
    );
    const rto = d.conn.pollTimeout()!;
    d.conn.handleTimeout(rto);
    const rtx = gsoOutput(d, rto);
    assert.deepEqual(
      rtx.map((s) => shape(s)),
      [{ seq: 1001, ack: 9001, flags: 'ACK', window: 8000, len: 1000 }],
    );
    // The ACK of it: cwnd 2 MSS; what follows is still below SND.NXT, so MSS by MSS.
    d.conn.handleSegment(seg({ seq: 9001, ack: 2001, flags: ACK }), rto + 20);
    const after = gsoOutput(d, rto + 20);
    assert.deepEqual(
      after.map((s) => [s.seq, s.payload.length]),
      [
        [2001, 1000],
        [3001, 1000],
      ],
    );
  });

  test('fast retransmit sends one SMSS although the segment lost was a GSO segment', () => {
    const d = established({}, 60_000);
    d.conn.send(bytes(20_000), 20);
    gsoOutput(d, 20); // 1001..5001
    // The peer got the first 1000 bytes, then a hole: three duplicate ACKs.
    d.conn.handleSegment(seg({ seq: 9001, ack: 2001, flags: ACK, window: 60_000 }), 40);
    let out = gsoOutput(d, 40);
    for (let i = 0; i < 3; i++) {
      d.conn.handleSegment(seg({ seq: 9001, ack: 2001, flags: ACK, window: 60_000 }), 41 + i);
      out = gsoOutput(d, 41 + i);
    }
    assert.equal(out[0]!.seq, 2001);
    assert.equal(out[0]!.payload.length, 1000);
  });

  test('slow start grows as if the pieces had been ACKed one by one (one ACK per 2 MSS)', () => {
    const d = established({}, 60_000);
    d.conn.send(bytes(20_000), 20);
    gsoOutput(d, 20);
    assert.equal(d.conn.info().cwnd, 4000);
    // One ACK for the whole 4000-byte segment: 2 × (2 MSS) → cwnd += 2 × SMSS.
    d.conn.handleSegment(seg({ seq: 9001, ack: 5001, flags: ACK, window: 60_000 }), 40);
    assert.equal(d.conn.info().cwnd, 6000);
    // Without GSO the same stretch ACK is one ACK: cwnd += SMSS (RFC 5681 §3.1).
    const e = established({}, 60_000);
    e.conn.send(bytes(20_000), 20);
    e.output(20);
    e.conn.handleSegment(seg({ seq: 9001, ack: 5001, flags: ACK, window: 60_000 }), 40);
    assert.equal(e.conn.info().cwnd, 5000);
  });

  test('slow start after an RTO, one cumulative ACK up to the loss point → cwnd += 1 SMSS, GSO or not', () => {
    // RFC 5681 §3.1: cwnd grows by at most SMSS per ACK. The data below `recover` (SND.NXT at the
    // timeout) was sent before the loss; its ACK stands for one ACK, not one per 2 MSS.
    const run = (gso: boolean): { cwnd: number; ssthresh: number; burst: number[] } => {
      const d = established({ initialWindowSegments: 10 }, 60_000);
      const poll = (now: number): TcpSegment[] => {
        if (gso) return gsoOutput(d, now);
        const out: TcpSegment[] = [];
        for (let s = d.conn.pollTransmit(now); s; s = d.conn.pollTransmit(now)) out.push(s);
        d.collect();
        return out;
      };
      d.conn.send(bytes(40_000), 20);
      const first = poll(20); // IW 10: one GSO segment, or 10 of 1000
      assert.equal(
        first.reduce((n, s) => n + s.payload.length, 0),
        10_000,
      );
      const at = d.conn.pollTimeout()!; // the first 1000 bytes were lost, the rest arrived
      d.conn.handleTimeout(at);
      assert.deepEqual(
        poll(at).map((s) => s.payload.length),
        [1000],
      );
      // The retransmission fills the hole: one cumulative ACK for all 10,000 bytes.
      d.conn.handleSegment(seg({ seq: 9001, ack: 11_001, flags: ACK, window: 60_000 }), at + 10);
      const info = d.conn.info();
      return {
        cwnd: info.cwnd,
        ssthresh: info.ssthresh,
        burst: poll(at + 10).map((s) => s.payload.length),
      };
    };
    const plain = run(false);
    assert.deepEqual(plain, { cwnd: 2000, ssthresh: 5000, burst: [1000, 1000] });
    // The same 2 SMSS leave as one GSO segment (two MSS pieces on the wire).
    assert.deepEqual(run(true), { ...plain, burst: [2000] });
  });

  test('urgent mode keeps MSS-sized segments', () => {
    const d = established();
    d.conn.send(bytes(3000), 20, { urgent: true });
    assert.deepEqual(
      gsoOutput(d, 20).map((s) => s.payload.length),
      [1000, 1000, 1000],
    );
  });
});

describe('receiving a segment larger than the MSS', () => {
  test('>= 2·MSS of new data in one segment is ACKed at once (RFC 5681 §4.2)', () => {
    const d = acceptedConn();
    const out = d.input(seg({ seq: 7001, ack: 5001, flags: ACK, payload: bytes(3000) }), 20);
    assert.deepEqual(
      out.map((s) => shape(s)),
      [{ seq: 5001, ack: 10001, flags: 'ACK', window: 5000, len: 0 }],
    );
  });

  test('one MSS of new data still waits for the delayed-ACK timer', () => {
    const d = acceptedConn();
    assert.deepEqual(
      d.input(seg({ seq: 7001, ack: 5001, flags: ACK, payload: bytes(1000) }), 20),
      [],
    );
  });
});
