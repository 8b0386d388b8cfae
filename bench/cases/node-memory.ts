/**
 * Baseline for memory: `conns` idle ESTABLISHED Node `net` connections over loopback, both ends in
 * this process (2·conns endpoints, as synack's memory case holds both stacks). Reported per
 * endpoint: the growth of RSS and of heap + external after a full GC. The kernel's own memory per
 * socket (struct tcp_sock, buffers) is not in RSS and so is not counted here.
 * Needs `--expose-gc` and a file-descriptor limit above 2·conns (the parent runs it under prlimit).
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Metrics, Params } from '../child.js';
import { bounded, memSnapshot, num, progress } from './common.js';

/** Connections per listening port: well inside the kernel's ephemeral range per destination. */
const PER_PORT = 20_000;
const BATCH = 500;

export async function nodeMemory(p: Params): Promise<Metrics> {
  const total = num(p, 'conns');
  const timeoutMs = num(p, 'timeoutMs', 300_000);
  const held: Socket[] = [];
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < Math.ceil(total / PER_PORT); i++) {
    const s = createServer({ pauseOnConnect: false }, (sock: Socket) => {
      sock.on('error', () => {});
      held.push(sock);
    });
    await new Promise<void>((r) => s.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, r));
    servers.push(s);
    ports.push((s.address() as AddressInfo).port);
  }
  const before = await memSnapshot();
  const t0 = performance.now();
  const openOne = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const c = connect({ port, host: '127.0.0.1' });
      c.once('connect', () => {
        c.removeListener('error', reject);
        c.on('error', () => {});
        held.push(c);
        resolve();
      });
      c.once('error', reject);
    });
  const work = async (): Promise<void> => {
    for (let i = 0; i < total; i += BATCH) {
      const n = Math.min(BATCH, total - i);
      const batch: Promise<void>[] = [];
      for (let j = 0; j < n; j++) batch.push(openOne(ports[Math.floor((i + j) / PER_PORT)]!));
      await Promise.all(batch);
      if ((i / BATCH) % 40 === 0) progress(`node net: ${i + n}/${total} connections open`);
    }
    // The server side accepts asynchronously: wait until it holds every connection too.
    for (let k = 0; k < 10_000 && held.length < 2 * total; k++) {
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await bounded(work(), timeoutMs, 'node memory: opening connections');
  if (held.length < 2 * total)
    throw new Error(`only ${held.length} of ${2 * total} endpoints open`);
  const openSeconds = (performance.now() - t0) / 1000;
  const after = await memSnapshot();
  const endpoints = 2 * total;
  const result: Metrics = {
    endpoints,
    rssPerEndpoint: (after.rss - before.rss) / endpoints,
    heapPerEndpoint:
      (after.heapUsed + after.external - before.heapUsed - before.external) / endpoints,
    openSeconds,
  };
  progress(
    `node net: ${endpoints} endpoints, ${Math.round(result.rssPerEndpoint as number)} B RSS each`,
  );
  for (const s of held) s.destroy();
  for (const s of servers) s.close();
  return result;
}
