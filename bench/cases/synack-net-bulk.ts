/**
 * Bulk throughput through synack's Node-compatible sockets: the code that measures Node's `net`
 * (socket-bulk.ts) with two synack stacks on an unimpaired SimNetwork (real clock) as `net`.
 */
import '../../src/net/index.js';
import type { Metrics, Params } from '../child.js';
import { num } from './common.js';
import type { MiniNet } from './net-api.js';
import { socketBulk } from './socket-bulk.js';
import { bufferConfig, makePair, SERVER_ADDR } from './synack-pair.js';

export async function synackNetBulk(p: Params): Promise<Metrics> {
  const mtu = num(p, 'mtu');
  const tcp = bufferConfig(num(p, 'bufferSize', 0));
  const { net, client, server } = makePair({
    clock: 'real',
    mtu,
    offload: p.offload === true,
    ...(tcp ? { tcp } : {}),
  });
  try {
    return await socketBulk({
      serverNet: server as unknown as MiniNet,
      clientNet: client as unknown as MiniNet,
      host: SERVER_ADDR,
      port: 5001,
      bytes: num(p, 'bytes'),
      writeSize: num(p, 'writeSize'),
      timeoutMs: num(p, 'timeoutMs', 120_000),
      label: `synack net.Socket MTU ${mtu}`,
    });
  } finally {
    net.close();
  }
}
