/** Baseline for connection rate: Node `net` over the kernel's loopback (see socket-connrate.ts). */
import * as net from 'node:net';
import type { Metrics, Params } from '../child.js';
import { num, str } from './common.js';
import type { MiniNet } from './net-api.js';
import { connRate } from './socket-connrate.js';

export async function nodeConnRate(p: Params): Promise<Metrics> {
  const n = net as unknown as MiniNet;
  return connRate({
    serverNet: n,
    clientNet: n,
    host: str(p, 'host', '127.0.0.1'),
    port: 0,
    conns: num(p, 'conns'),
    parallel: num(p, 'parallel'),
    warmup: num(p, 'warmup', 0),
    timeoutMs: num(p, 'timeoutMs', 120_000),
    label: 'node net',
  });
}
