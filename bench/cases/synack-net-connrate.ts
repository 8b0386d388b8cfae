/**
 * Connection rate through synack's Node-compatible sockets (src/net): the very code that measures
 * Node's `net` (socket-connrate.ts), with two synack stacks on a SimNetwork (real clock) as `net`.
 */
import '../../src/net/index.js';
import type { Metrics, Params } from '../child.js';
import { num } from './common.js';
import type { MiniNet } from './net-api.js';
import { connRate } from './socket-connrate.js';
import { connRatePair, SERVER_ADDR } from './synack-pair.js';

export async function synackNetConnRate(p: Params): Promise<Metrics> {
  const conns = num(p, 'conns');
  const warmup = num(p, 'warmup', 0);
  const { net, client, server } = connRatePair(conns, warmup, p.offload === true);
  try {
    return await connRate({
      serverNet: server as unknown as MiniNet,
      clientNet: client as unknown as MiniNet,
      host: SERVER_ADDR,
      port: 7,
      conns,
      parallel: num(p, 'parallel'),
      warmup,
      timeoutMs: num(p, 'timeoutMs', 120_000),
      label: 'synack net.Socket',
    });
  } finally {
    net.close();
  }
}
