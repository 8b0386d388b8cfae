/**
 * Connection rate through synack's Node-compatible sockets (src/net): the very code that measures
 * Node's `net` (socket-connrate.ts), with two synack stacks on a SimNetwork (real clock) as `net`.
 */
import '../../src/net/index.js';
import type { Metrics, Params } from '../child.js';
import { num } from './common.js';
import type { MiniNet } from './net-api.js';
import { connRate } from './socket-connrate.js';
import { makePair, SERVER_ADDR } from './synack-pair.js';

export async function synackNetConnRate(p: Params): Promise<Metrics> {
  const conns = num(p, 'conns');
  const warmup = num(p, 'warmup', 0);
  if (conns + warmup > 60_000) {
    throw new Error('at most 60,000 connections a run, warm-up included (one ephemeral range)');
  }
  const offload = p.offload === true;
  const { net, client, server } = makePair({
    clock: 'real',
    mtu: 1500,
    ephemeralMin: 1024,
    offload,
  });
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
