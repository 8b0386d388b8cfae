/**
 * A real clock caches now() within a synchronous run of work (real-clock.ts); the stack reads the
 * host clock afresh where time may have passed in user code: after each handler it calls, and at each
 * user call made from outside its handlers. A handler that computes between read() and write() must not send its response stamped
 * with the time of read() (an RTO already partly spent: a spurious retransmission, a wrong RTT).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SimNetwork } from '../../src/link/sim-network.js';

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('Stack: the time of user work', () => {
  test(
    'a handler computes 400 ms between read() and write() → the response is timed from the write',
    { timeout: 60_000 },
    async () => {
      const tcp = { initialRto: 300, minRto: 300, msl: 10, delayedAck: false };
      const net = new SimNetwork({ seed: 1, clock: 'real', delay: 25 });
      const a = net.addHost({ address: '10.0.0.1', tcp });
      const b = net.addHost({ address: '10.0.0.2', tcp });
      const checked = new Promise<{ readAt: number; deadline: number | undefined }>((resolve) => {
        b.openListener({ port: 80 }).onConnection = (s): void => {
          s.onEvent = (ev): void => {
            if (ev.type !== 'readable') return;
            const readAt = net.clock.now();
            s.read();
            busy(400); // the request is handled …
            s.write(new Uint8Array(100)); // … and answered
            // After this drain has sent the response: its retransmission timer.
            queueMicrotask(() => resolve({ readAt, deadline: s.engine.pollTimeout() }));
          };
        };
      });
      const c = a.openConnection({ address: '10.0.0.2', port: 80 });
      c.onEvent = (ev): void => {
        if (ev.type === 'established') c.write(new Uint8Array(10));
      };
      const { readAt, deadline } = await checked;
      net.close();
      assert.ok(deadline !== undefined);
      // RTO 300 ms from the send, which came at least 400 ms after read(). Timed from read()'s
      // cached clock it would fire ~100 ms before the ACK could be back: spuriously.
      assert.ok(deadline >= readAt + 400 + 300, `RTO at ${deadline - readAt} ms after read()`);
    },
  );

  test(
    'code outside any handler computes 400 ms, then write() → the segment is timed from the write',
    { timeout: 60_000 },
    async () => {
      const tcp = { initialRto: 300, minRto: 300, msl: 10, delayedAck: false };
      const net = new SimNetwork({ seed: 2, clock: 'real', delay: 25 });
      const a = net.addHost({ address: '10.0.0.1', tcp });
      const b = net.addHost({ address: '10.0.0.2', tcp });
      b.openListener({ port: 80 }).onConnection = (s): void => {
        s.onEvent = (ev): void => {
          if (ev.type === 'readable') s.read();
        };
      };
      const c = a.openConnection({ address: '10.0.0.2', port: 80 });
      await new Promise<void>((resolve) => {
        c.onEvent = (ev): void => {
          if (ev.type === 'established') resolve();
        };
      });
      // One synchronous run outside the stack's handlers: the clock is read (and cached), a long
      // computation, then a write — whose segment starts the retransmission timer.
      const before = net.clock.now();
      busy(400);
      c.write(new Uint8Array(10));
      const deadline = c.engine.pollTimeout();
      net.close();
      assert.ok(deadline !== undefined);
      assert.ok(deadline >= before + 400 + 300, `RTO at ${deadline - before} ms after the read`);
    },
  );
});
