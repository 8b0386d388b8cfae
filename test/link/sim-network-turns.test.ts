/**
 * SimNetwork's zero-delay ready queue on a real clock shares one budget per turn of the event loop,
 * however many microtasks the deliveries spread over: a ping-pong whose answers are written from
 * promise continuations (async handlers) must not keep the loop from turning.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SimNetwork } from '../../src/link/sim-network.js';

describe('SimNetwork: ready packets per event-loop turn', () => {
  test(
    'zero-delay ping-pong answered from promise continuations → a setImmediate queued first still runs within ~1 budget',
    { timeout: 60_000 },
    async () => {
      const net = new SimNetwork({ seed: 1, clock: 'real' });
      const a = net.addHost({ address: '10.0.0.1' });
      const b = net.addHost({ address: '10.0.0.2' });
      let exchanges = 0;
      let immediateRan = false;
      const l = b.openListener({ port: 7 });
      l.onConnection = (s): void => {
        s.onEvent = (ev): void => {
          if (ev.type === 'readable') {
            s.read();
            void Promise.resolve().then(() => s.write(new Uint8Array([1])));
          }
        };
      };
      const c = a.openConnection({ address: '10.0.0.2', port: 7 });
      c.setNoDelay(true);
      c.onEvent = (ev): void => {
        if (ev.type === 'established') c.write(new Uint8Array([1]));
        if (ev.type === 'readable') {
          c.read();
          if (++exchanges < 20_000 && !immediateRan) {
            void Promise.resolve().then(() => c.write(new Uint8Array([1])));
          }
        }
      };
      await new Promise<void>((resolve) => {
        setImmediate(() => {
          immediateRan = true;
          resolve();
        });
      });
      net.close();
      // READY_BUDGET (1,024) packets a turn: two per exchange, so ~512 exchanges before the loop turns.
      assert.ok(exchanges < 1024, `the event loop waited for ${exchanges} round trips`);
    },
  );
});
