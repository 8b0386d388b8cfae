/**
 * Bulk throughput through a `net`-shaped API: one connection, sender and receiver in this process,
 * `writeSize` bytes per write(), respecting back-pressure ('drain'); timed from 'connect' to the
 * receiver holding every byte. Used for Node's `net` over loopback and synack's sockets alike.
 */
import type { Metrics } from '../child.js';
import { bounded, progress } from './common.js';
import { listeningPort, type MiniNet, type MiniSocket } from './net-api.js';

export interface BulkSetup {
  serverNet: MiniNet;
  clientNet: MiniNet;
  host: string;
  port: number;
  bytes: number;
  writeSize: number;
  timeoutMs: number;
  label: string;
}

export async function socketBulk(o: BulkSetup): Promise<Metrics> {
  const total = o.bytes;
  let received = 0;
  let resolveDone!: (t: number) => void;
  const done = new Promise<number>((r) => (resolveDone = r));
  const server = o.serverNet.createServer((s: MiniSocket) => {
    s.on('data', (d: Uint8Array) => {
      received += d.length;
      if (received >= total) resolveDone(performance.now());
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen({ port: o.port, host: o.host }, r));
  const c = o.clientNet.connect({ port: listeningPort(server), host: o.host });
  c.on('error', () => {});
  await bounded(new Promise((r) => c.once('connect', r)), 10_000, `${o.label} connect`);
  const chunk = new Uint8Array(o.writeSize).fill(0x5a);
  let sent = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const pump = (): void => {
    while (sent < total) {
      const n = Math.min(o.writeSize, total - sent);
      sent += n;
      if (!c.write(n === o.writeSize ? chunk : chunk.subarray(0, n))) {
        c.once('drain', pump);
        return;
      }
    }
  };
  pump();
  const t1 = await bounded(done, o.timeoutMs, () => `${o.label} bulk transfer (${received} B)`);
  const seconds = (t1 - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  c.destroy();
  server.close();
  progress(`${o.label}: ${total} B in ${seconds.toFixed(3)} s`);
  return { bytes: received, seconds, bitsPerSecond: (received * 8) / seconds, cpuSeconds };
}
