/**
 * The "over TUN" cases, each run inside a network namespace the parent made (bench/netns.ts):
 * - tunSynack: synack on a TUN device (src/link/tun-link.ts), either receiving a stream the kernel
 *   sends (`role: 'sink'`) or sending one to a kernel socket (`role: 'source'`);
 * - tcpSink / tcpSource: the kernel's side, Node `net` in its own process — also both ends of the
 *   kernel ↔ kernel baseline over a veth pair.
 * The receiver measures, from its first byte to its last, so the sender's start-up does not count.
 */
import { createServer, connect, type Socket } from 'node:net';
import type { Metrics, Params } from '../child.js';
import { bounded, num, progress, str } from './common.js';

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Receiver clock: first byte → `total` bytes. */
class Meter {
  received = 0;
  first = 0;
  #resolve!: (seconds: number) => void;
  readonly done: Promise<number>;
  constructor(readonly total: number) {
    this.done = new Promise((r) => (this.#resolve = r));
  }
  add(n: number): void {
    if (this.received === 0 && n > 0) this.first = performance.now();
    this.received += n;
    if (this.received >= this.total) this.#resolve((performance.now() - this.first) / 1000);
  }
}

/**
 * This process's CPU time (user + system, so the kernel's TCP work in its system calls counts)
 * since `from`: with the peer's, a figure of the whole transfer's CPU cost that a busy machine
 * moves less than it moves wall-clock rates.
 */
function cpuSince(from: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(from);
  return (c.user + c.system) / 1e6;
}

export async function tcpSink(p: Params): Promise<Metrics> {
  const total = num(p, 'bytes');
  const host = str(p, 'host');
  const port = num(p, 'port');
  const meter = new Meter(total);
  const server = createServer((s: Socket) => {
    s.on('data', (d: Buffer) => meter.add(d.length));
    s.on('error', () => {});
  });
  // The address may belong to a TUN device the synack process is still bringing up: retry.
  for (let attempt = 0; ; attempt++) {
    const err = await new Promise<Error | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(port, host, () => {
        server.removeListener('error', resolve);
        resolve(undefined);
      });
    });
    if (!err) break;
    if (attempt >= 150) throw err;
    await sleep(100);
  }
  const cpu0 = process.cpuUsage();
  const seconds = await bounded(meter.done, num(p, 'timeoutMs', 120_000), 'kernel sink');
  const procCpuSeconds = cpuSince(cpu0);
  server.close();
  progress(`kernel sink: ${meter.received} B in ${seconds.toFixed(3)} s`);
  return {
    bytes: meter.received,
    seconds,
    bitsPerSecond: (meter.received * 8) / seconds,
    procCpuSeconds,
  };
}

export async function tcpSource(p: Params): Promise<Metrics> {
  const total = num(p, 'bytes');
  const writeSize = num(p, 'writeSize');
  const host = str(p, 'host');
  const port = num(p, 'port');
  const timeoutMs = num(p, 'timeoutMs', 120_000);
  // The receiver may still be starting (a TUN device coming up): retry for up to 15 s.
  let sock: Socket | undefined;
  for (let attempt = 0; attempt < 150 && !sock; attempt++) {
    sock = await new Promise<Socket | undefined>((resolve) => {
      const c = connect({ host, port });
      c.once('connect', () => resolve(c));
      c.once('error', () => {
        c.destroy();
        resolve(undefined);
      });
    });
    if (!sock) await sleep(100);
  }
  if (!sock) throw new Error(`kernel source: cannot connect to ${host}:${port}`);
  const c = sock;
  c.on('error', () => {});
  const chunk = Buffer.alloc(writeSize, 0x5a);
  const cpu0 = process.cpuUsage();
  let sent = 0;
  const finished = new Promise<void>((resolve) => {
    const pump = (): void => {
      while (sent < total) {
        const n = Math.min(writeSize, total - sent);
        sent += n;
        if (!c.write(n === writeSize ? chunk : chunk.subarray(0, n))) {
          c.once('drain', pump);
          return;
        }
      }
      c.end(() => resolve());
    };
    pump();
  });
  await bounded(finished, timeoutMs, 'kernel source');
  const procCpuSeconds = cpuSince(cpu0);
  // Let the receiver read the tail before this process (and its socket) goes away.
  await bounded(new Promise((r) => c.once('close', r)), 10_000, 'kernel source close').catch(
    () => {},
  );
  return { bytes: sent, procCpuSeconds };
}

export async function tunSynack(p: Params): Promise<Metrics> {
  const { openTunStack } = await import('../../src/link/tun-link.js');
  const role = str(p, 'role');
  const total = num(p, 'bytes');
  const mtu = num(p, 'mtu');
  const writeSize = num(p, 'writeSize');
  const port = num(p, 'port');
  const timeoutMs = num(p, 'timeoutMs', 120_000);
  const buffer = num(p, 'bufferSize', 0);
  const link = openTunStack({
    device: str(p, 'device', 'sbtun0'),
    addresses: [str(p, 'address')],
    hostAddresses: [{ address: str(p, 'hostAddress'), prefixLength: 24 }],
    mtu,
    offload: num(p, 'offload', 0) !== 0,
    ...(buffer > 0 ? { tcp: { sendBufferSize: buffer, receiveBufferSize: buffer } } : {}),
  });
  const stack = link.stack;
  // The synack process's own CPU time over the run (user + system: the system part includes the
  // kernel's work done inside our reads and writes), so figures can be read per CPU-second.
  const cpu0 = process.cpuUsage();
  try {
    if (role === 'sink') {
      const meter = new Meter(total);
      const l = stack.openListener({ port });
      l.onConnection = (c) => {
        c.onEvent = (ev) => {
          if (ev.type === 'readable') meter.add(c.read().length);
        };
      };
      const seconds = await bounded(
        meter.done,
        timeoutMs,
        () => `synack TUN sink (${meter.received} B)`,
      );
      progress(`synack TUN sink MTU ${mtu}: ${meter.received} B in ${seconds.toFixed(3)} s`);
      const d = link.device.counters;
      return {
        bytes: meter.received,
        seconds,
        bitsPerSecond: (meter.received * 8) / seconds,
        meanRxBatch: d.rxBatches > 0 ? d.rxPackets / d.rxBatches : 0,
        rxGsoPackets: d.rxGsoPackets,
        rxPackets: d.rxPackets,
        txPackets: d.txPackets,
        synackCpuSeconds: cpuSince(cpu0),
      };
    }
    // role 'source': connect to the kernel's sink (retrying while it starts), then stream.
    const chunk = new Uint8Array(writeSize).fill(0x5a);
    const host = str(p, 'hostAddress');
    let sent = 0;
    for (let attempt = 0; attempt < 100; attempt++) {
      const attemptDone = new Promise<'ok' | 'retry'>((resolve, reject) => {
        const c = stack.openConnection({ address: host, port });
        const pump = (): void => {
          while (sent < total) {
            const want = Math.min(writeSize, total - sent);
            const n = c.write(want === writeSize ? chunk : chunk.subarray(0, want));
            sent += n;
            if (n < want) return;
          }
          c.close();
        };
        c.onEvent = (ev) => {
          if (ev.type === 'established' || ev.type === 'writable') pump();
          else if (ev.type === 'closed') {
            if (ev.error?.code === 'refused' && sent === 0) resolve('retry');
            else if (ev.error) reject(new Error(`synack TUN source: ${ev.error.code}`));
            else resolve('ok');
          } else if (ev.type === 'state' && ev.to === 'TIME-WAIT') resolve('ok');
        };
      });
      const outcome = await bounded(
        attemptDone,
        timeoutMs,
        () => `synack TUN source (${sent} B sent)`,
      );
      if (outcome === 'ok') break;
      await sleep(100);
    }
    progress(`synack TUN source MTU ${mtu}: ${sent} B sent`);
    const d = link.device.counters;
    return {
      bytes: sent,
      txPackets: d.txPackets,
      txGsoPackets: d.txGsoPackets,
      retransmits: stack.counters.TcpRetransSegs,
      synackCpuSeconds: cpuSince(cpu0),
    };
  } finally {
    link.close();
  }
}
