/**
 * Baseline for connection rate: connect + 1-byte echo + close with Node `net` over loopback, either
 * one at a time or `parallel` in flight. A connection counts when the client's socket emits 'close'
 * (both FINs exchanged; the kernel keeps the TIME-WAIT).
 */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import type { Metrics, Params } from '../child.js';
import { bounded, num, progress, str } from './common.js';

export async function nodeConnRate(p: Params): Promise<Metrics> {
  const total = num(p, 'conns');
  const parallel = num(p, 'parallel');
  const host = str(p, 'host', '127.0.0.1');
  const timeoutMs = num(p, 'timeoutMs', 120_000);
  const server = createServer((s: Socket) => {
    s.on('data', (d: Buffer) => s.write(d));
    s.on('end', () => s.end());
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen({ port: 0, host, backlog: 4096 }, r));
  const port = (server.address() as AddressInfo).port;
  const one = Buffer.from([0x2a]);
  const oneConnection = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const c = connect({ port, host });
      let echoed = false;
      c.once('connect', () => c.write(one));
      c.on('data', () => {
        echoed = true;
        c.end();
      });
      c.once('error', reject);
      c.once('close', () => (echoed ? resolve() : reject(new Error('closed before the echo'))));
    });
  let started = 0;
  let finished = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const lane = async (): Promise<void> => {
    while (started < total) {
      started++;
      await oneConnection();
      finished++;
    }
  };
  const lanes = Array.from({ length: Math.min(parallel, total) }, lane);
  await bounded(Promise.all(lanes), timeoutMs, 'node connection rate');
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  server.close();
  progress(`node net: ${finished} connections (${parallel} in flight) in ${seconds.toFixed(3)} s`);
  return { conns: finished, seconds, connsPerSecond: finished / seconds, cpuSeconds };
}
