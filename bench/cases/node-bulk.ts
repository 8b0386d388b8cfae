/**
 * Baseline for bulk throughput: one Node `net` connection over the kernel's loopback, sender and
 * receiver in the same process (as synack's two stacks are); see socket-bulk.ts.
 */
import * as net from 'node:net';
import type { Metrics, Params } from '../child.js';
import { num, str } from './common.js';
import type { MiniNet } from './net-api.js';
import { socketBulk } from './socket-bulk.js';

export async function nodeBulk(p: Params): Promise<Metrics> {
  const n = net as unknown as MiniNet;
  return socketBulk({
    serverNet: n,
    clientNet: n,
    host: str(p, 'host', '127.0.0.1'),
    port: 0,
    bytes: num(p, 'bytes'),
    writeSize: num(p, 'writeSize'),
    timeoutMs: num(p, 'timeoutMs', 120_000),
    label: 'node net',
  });
}
