/**
 * Baseline for bulk throughput: one Node `net` connection over the kernel's loopback, sender and
 * receiver in the same process (as synack's two stacks are), `writeSize` bytes per write(),
 * respecting back-pressure ('drain'). Timed from 'connect' to the receiver holding every byte.
 */
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import type { Metrics, Params } from '../child.js';
import { bounded, num, progress, str } from './common.js';

export async function nodeBulk(p: Params): Promise<Metrics> {
  const total = num(p, 'bytes');
  const writeSize = num(p, 'writeSize');
  const host = str(p, 'host', '127.0.0.1');
  const timeoutMs = num(p, 'timeoutMs', 120_000);
  let received = 0;
  let resolveDone!: (t: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  const server = createServer((s: Socket) => {
    s.on('data', (d: Buffer) => {
      received += d.length;
      if (received >= total) resolveDone(performance.now());
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const port = (server.address() as AddressInfo).port;
  const c = connect({ port, host });
  c.on('error', () => {});
  await bounded(new Promise((r) => c.once('connect', r)), 10_000, 'connect');
  const chunk = Buffer.alloc(writeSize, 0x5a);
  let sent = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const pump = (): void => {
    while (sent < total) {
      const n = Math.min(writeSize, total - sent);
      sent += n;
      if (!c.write(n === writeSize ? chunk : chunk.subarray(0, n))) {
        c.once('drain', pump);
        return;
      }
    }
  };
  pump();
  const t1 = await bounded(done, timeoutMs, 'node bulk transfer');
  const seconds = (t1 - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  c.destroy();
  server.close();
  progress(`node net: ${total} B in ${seconds.toFixed(3)} s`);
  return { bytes: received, seconds, bitsPerSecond: (received * 8) / seconds, cpuSeconds };
}
