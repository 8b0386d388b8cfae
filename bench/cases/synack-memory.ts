/**
 * Memory per idle ESTABLISHED synack endpoint: `conns` connections between two stacks in this
 * process on a SimNetwork with the virtual clock (no timers left once idle), both ends held by the
 * user (2·conns endpoints). Reported: growth of heap + external after a full GC, per endpoint, and
 * of RSS. Before going big it measures a small probe, and if the projection for `conns` exceeds the
 * budget it reports the probe's figure instead (the machine is shared: no case may eat 20 GiB).
 * `mode: 'socket'` wraps each endpoint in the Node-compatible net.Socket (src/net).
 */
import type { Metrics, Params } from '../child.js';
import { memSnapshot, num, progress, str, type MemSnapshot } from './common.js';
import { makePair, SERVER_ADDR, type Pair } from './synack-pair.js';

const PER_PORT = 60_000;
const BATCH = 2000;
const PROBE = 500;

interface Holder {
  /** Opens `n` more connections (both ends held) and runs the network until idle. */
  open(n: number): Promise<void>;
  endpoints(): number;
  close(): void;
}

function bareHolder(pair: Pair, ports: number[]): Holder {
  const held: unknown[] = [];
  let opened = 0;
  for (const port of ports) {
    const l = pair.server.openListener({ port, backlog: 65535 });
    l.onConnection = (c) => {
      held.push(c);
    };
  }
  return {
    async open(n: number): Promise<void> {
      for (let done = 0; done < n;) {
        const k = Math.min(BATCH, n - done);
        for (let j = 0; j < k; j++) {
          const port = ports[Math.floor(opened / PER_PORT)]!;
          held.push(pair.client.openConnection({ address: SERVER_ADDR, port }));
          opened++;
        }
        if (!pair.net.run(600_000)) throw new Error('network did not go idle');
        done += k;
      }
    },
    endpoints: () => held.length,
    close: () => pair.net.close(),
  };
}

async function socketHolder(pair: Pair, ports: number[]): Promise<Holder> {
  const mod = await import('./synack-sockets.js');
  return mod.socketHolder(pair, ports, SERVER_ADDR);
}

function perEndpoint(
  a: MemSnapshot,
  b: MemSnapshot,
  endpoints: number,
): { heap: number; rss: number } {
  return {
    heap: (b.heapUsed + b.external - a.heapUsed - a.external) / endpoints,
    rss: (b.rss - a.rss) / endpoints,
  };
}

export async function synackMemory(p: Params): Promise<Metrics> {
  const conns = num(p, 'conns');
  const budget = num(p, 'budget');
  const mode = str(p, 'mode', 'bare');
  const pair = makePair({ clock: 'virtual', mtu: 1500, ephemeralMin: 1024 });
  const ports = Array.from({ length: Math.ceil(conns / PER_PORT) }, (_, i) => 5000 + i);
  const holder = mode === 'socket' ? await socketHolder(pair, ports) : bareHolder(pair, ports);
  const before = await memSnapshot();
  const t0 = performance.now();
  await holder.open(Math.min(PROBE, conns));
  const probeSnap = await memSnapshot();
  const probe = perEndpoint(before, probeSnap, holder.endpoints());
  const projected = probe.heap * 2 * conns;
  if (conns > PROBE && projected > budget * 0.8) {
    const msg =
      `projected ${(projected / 1024 ** 3).toFixed(1)} GiB for ${conns} connections exceeds the ` +
      `budget: measured at ${Math.min(PROBE, conns)} connections instead`;
    progress(`synack ${mode}: ${msg}`);
    holder.close();
    return {
      endpoints: holder.endpoints(),
      heapPerEndpoint: probe.heap,
      rssPerEndpoint: probe.rss,
      projectedBytes: projected,
      probeOnly: true,
      note: msg,
    };
  }
  let lastReport = performance.now();
  for (let opened = PROBE; opened < conns;) {
    const k = Math.min(20_000, conns - opened);
    await holder.open(k);
    opened += k;
    if (performance.now() - lastReport > 2000) {
      lastReport = performance.now();
      progress(`synack ${mode}: ${opened}/${conns} connections open`);
    }
  }
  const openSeconds = (performance.now() - t0) / 1000;
  const after = await memSnapshot();
  const per = perEndpoint(before, after, holder.endpoints());
  progress(
    `synack ${mode}: ${holder.endpoints()} endpoints, ${Math.round(per.heap)} B heap+external each`,
  );
  const endpoints = holder.endpoints();
  holder.close();
  return {
    endpoints,
    heapPerEndpoint: per.heap,
    rssPerEndpoint: per.rss,
    totalBytes: after.heapUsed + after.external,
    openSeconds,
    note: `synack ${mode}: measured with ${endpoints} endpoints in one process`,
  };
}
