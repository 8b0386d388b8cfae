/**
 * Connection rate of synack against itself (the Node `net` baseline's twin): two stacks in this
 * process on an unimpaired SimNetwork with the real clock; each connection is connect + 1-byte echo
 * + close, and counts when the client reaches TIME-WAIT (both FINs exchanged — Node's 'close'
 * point; the TIME-WAIT itself then runs on, as the kernel's does). The client's ephemeral range is
 * 1024–65535 so that a run's connections never wait for a port. With `offload` the link offers
 * checksum offload (and GSO/GRO, unused by 1-byte segments) as Linux's loopback does.
 */
import type { TcpConnection } from '../../src/stack/stack.js';
import type { Metrics, Params } from '../child.js';
import { num, progress } from './common.js';
import { connRatePair, SERVER_ADDR } from './synack-pair.js';
import { timedPhases } from './socket-connrate.js';

export async function synackConnRate(p: Params): Promise<Metrics> {
  const total = num(p, 'conns');
  const parallel = num(p, 'parallel');
  const warmup = num(p, 'warmup', 0);
  const timeoutMs = num(p, 'timeoutMs', 120_000);
  const { net, client, server } = connRatePair(total, warmup, p.offload === true);
  const listener = server.openListener({ port: 7, backlog: 4096 });
  listener.onConnection = (c: TcpConnection) => {
    c.onEvent = (ev) => {
      if (ev.type === 'readable') {
        const d = c.read();
        if (d.length > 0) c.write(d);
      } else if (ev.type === 'peer-fin') {
        c.close();
      }
    };
  };
  const one = new Uint8Array([0x2a]);
  const oneConnection = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const c = client.openConnection({ address: SERVER_ADDR, port: 7 });
      let echoed = false;
      c.onEvent = (ev) => {
        switch (ev.type) {
          case 'established':
            c.write(one);
            return;
          case 'readable':
            if (c.read().length > 0 && !echoed) {
              echoed = true;
              c.close();
            }
            return;
          case 'state':
            if (ev.to === 'TIME-WAIT') {
              // Counted: the rest of this connection (its TIME-WAIT, and the abort when the run's
              // network closes) is no longer the harness's business.
              c.onEvent = undefined;
              if (echoed) resolve();
              else reject(new Error('TIME-WAIT before the echo'));
            }
            return;
          case 'closed':
            if (ev.error) reject(new Error(`connection failed: ${ev.error.code}`));
            return;
          default:
            return;
        }
      };
    });
  try {
    // The same untimed warm-up and timed phase as Node's run.
    const { finished, seconds, cpuSeconds } = await timedPhases(
      {
        conns: total,
        parallel,
        warmup,
        timeoutMs,
        label: 'synack',
        countText: (f, goal) => `${f} of ${goal}`,
      },
      oneConnection,
    );
    progress(
      `synack: ${finished} connections (${parallel} in flight) in ${seconds.toFixed(3)} s` +
        (warmup > 0 ? ` after ${warmup} warm-up` : ''),
    );
    return { conns: finished, seconds, connsPerSecond: finished / seconds, cpuSeconds };
  } finally {
    net.close();
  }
}
