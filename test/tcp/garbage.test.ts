/**
 * Random garbage in every state: segments with any flags, sequence and acknowledgment numbers,
 * windows, options and payloads, mixed with commands and timers. The engine must never throw, and
 * what it emits must stay well-formed.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { TCP_STATES } from '../../src/tcp/state.js';
import type { TcpSegment } from '../../src/wire/tcp-segment.js';
import { seq } from '../../src/wire/seqnum.js';
import { reachState } from './states.js';

const T = { timeout: 20_000 };

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
}

function checkSegment(s: TcpSegment): void {
  for (const v of [s.seq, s.ack])
    assert.ok(Number.isInteger(v) && v >= 0 && v < 2 ** 32, `seq ${v}`);
  assert.ok(
    Number.isInteger(s.window) && s.window >= 0 && s.window <= 0xffff,
    `window ${s.window}`,
  );
  assert.ok(Number.isInteger(s.flags) && s.flags >= 0 && s.flags <= 0xff);
  assert.ok(s.payload.length <= 0xffff);
}

describe('garbage', () => {
  for (const state of TCP_STATES) {
    test(
      `${state} 400 random segments, commands and timers → never throws, output well-formed`,
      T,
      () => {
        for (let round = 0; round < 6; round++) {
          const r = rng(state.length * 7919 + round * 104729 + 1);
          const pick = <X>(xs: readonly X[]): X => xs[Math.floor(r() * xs.length)]!;
          const d = reachState(
            state,
            round % 2 === 0 ? {} : { windowScaling: true, receiveBufferSize: 300_000 },
          );
          let now = 100;
          let closed = d.closedEvents().length;
          for (let i = 0; i < 400; i++) {
            now += Math.floor(r() * 50);
            const info = d.conn.info();
            const near = (base: number): number =>
              r() < 0.6
                ? (base + Math.floor(r() * 20_000) - 10_000) >>> 0
                : Math.floor(r() * 2 ** 32);
            const action = r();
            if (action < 0.75) {
              const payloadLen = r() < 0.5 ? 0 : Math.floor(r() * 3000);
              const garbageSeg = {
                srcPort: r() < 0.9 ? 80 : Math.floor(r() * 70_000),
                dstPort: 40000,
                seq: seq(near(info.rcvNxt)),
                ack: seq(near(info.sndNxt)),
                flags: Math.floor(r() * 256),
                window: r() < 0.2 ? 0 : Math.floor(r() * 65536),
                urgent: Math.floor(r() * 65536),
                options: pick([
                  {},
                  { mss: pick([0, 1, 48, 536, 1460, 65535, -5, Number.NaN]) },
                  { windowScale: pick([0, 7, 14, 15, 255]) },
                  { mss: 1000, windowScale: 3, sackPermitted: true },
                  { timestamps: { tsVal: 1, tsEcr: 2 } },
                ]),
                payload: new Uint8Array(payloadLen),
              } as TcpSegment;
              for (const s of d.input(garbageSeg, now)) checkSegment(s);
            } else if (action < 0.8) {
              d.conn.send(new Uint8Array(Math.floor(r() * 5000)), now);
            } else if (action < 0.84) {
              d.conn.read(pick([undefined, 0, 10, 100_000, -1, Number.NaN]), now);
            } else if (action < 0.86) {
              d.conn.close(now);
            } else if (action < 0.87) {
              d.conn.abort(now);
            } else if (action < 0.89) {
              d.conn.handlePathMtu(pick([0, 68, 576, 1500, 9000, Number.NaN, -1]), now);
            } else if (action < 0.9) {
              d.conn.handleUnreachable(now);
            } else if (action < 0.91) {
              d.conn.setKeepAlive(r() < 0.5, pick([undefined, 0, 1000, -1]));
            } else {
              const at = d.conn.pollTimeout();
              if (at !== undefined) now = Math.max(now, at);
              d.conn.handleTimeout(now);
            }
            for (const s of d.output(now)) checkSegment(s);
            assert.ok(TCP_STATES.includes(d.state));
            const c = d.closedEvents().length;
            assert.ok(c <= 1, 'closed at most once');
            if (closed === 1) assert.equal(d.state, 'CLOSED');
            closed = c;
            const t = d.conn.pollTimeout();
            assert.ok(t === undefined || Number.isFinite(t));
          }
        }
      },
    );
  }
});
