/**
 * On a real clock the stack keeps TIME-WAIT connections in a DeadlineFifo (deadline-fifo.ts). A
 * segment to a TIME-WAIT connection that does not restart its 2·MSL timer must leave that queue
 * as it is: one entry per connection, however many segments arrive.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SimNetwork } from '../../src/link/sim-network.js';
import { DeadlineFifo } from '../../src/stack/deadline-fifo.js';
import { buildTcpPacket } from '../../src/wire/ip-packet.js';
import { seq } from '../../src/wire/seqnum.js';
import { TcpFlag } from '../../src/wire/tcp-segment.js';

describe('Stack: the TIME-WAIT queue', () => {
  test(
    'TIME-WAIT connection, 10,000 junk ACKs → still one TIME-WAIT queue entry, no add per segment',
    { timeout: 60_000 },
    async () => {
      const net = new SimNetwork({ seed: 1, clock: 'real' });
      const a = net.addHost({ address: '10.0.0.1' });
      const b = net.addHost({ address: '10.0.0.2' });
      b.openListener({ port: 80 }).onConnection = (s): void => {
        s.onEvent = (ev): void => {
          if (ev.type === 'peer-fin') s.close();
        };
      };
      const c = a.openConnection({ address: '10.0.0.2', port: 80 });
      c.onEvent = (ev): void => {
        if (ev.type === 'established') c.close();
      };
      while (c.state !== 'TIME-WAIT') await new Promise((r) => setTimeout(r, 5));
      const deadline = c.engine.pollTimeout();
      const orig = DeadlineFifo.prototype.add;
      let adds = 0;
      DeadlineFifo.prototype.add = function (
        this: DeadlineFifo<never>,
        item: never,
        at: number,
      ): void {
        adds++;
        orig.call(this, item, at);
      };
      const junk = {
        srcPort: 80,
        dstPort: c.tuple.localPort,
        seq: seq(1),
        ack: seq(1),
        flags: TcpFlag.ACK,
        window: 1000,
        urgent: 0,
        options: {},
        payload: new Uint8Array(0),
      };
      try {
        for (let i = 0; i < 10_000; i++) a.receive(buildTcpPacket('10.0.0.2', '10.0.0.1', junk));
      } finally {
        DeadlineFifo.prototype.add = orig;
      }
      const state = c.state;
      const after = c.engine.pollTimeout();
      net.close();
      assert.equal(state, 'TIME-WAIT');
      assert.equal(after, deadline); // the junk did not restart the 2·MSL timer
      assert.equal(adds, 0);
    },
  );
});
