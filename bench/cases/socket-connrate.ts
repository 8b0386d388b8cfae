/**
 * Connection rate through a `net`-shaped API: connect + 1-byte echo + close, one at a time or
 * `parallel` in flight. A connection counts when the client's socket emits 'close' (both FINs
 * exchanged; any TIME-WAIT then runs on). Used for Node's `net` over loopback and for synack's
 * Node-compatible sockets alike.
 */
import type { Metrics } from '../child.js';
import { bounded, progress } from './common.js';
import { listeningPort, type MiniNet, type MiniSocket } from './net-api.js';

export interface ConnRateSetup {
  serverNet: MiniNet;
  clientNet: MiniNet;
  host: string;
  /** Port to listen on (0: any). */
  port: number;
  conns: number;
  parallel: number;
  /** Untimed connections first (see BenchOptions.connWarmup). */
  warmup: number;
  timeoutMs: number;
  label: string;
}

export async function connRate(o: ConnRateSetup): Promise<Metrics> {
  const server = o.serverNet.createServer((s: MiniSocket) => {
    s.on('data', (d: Uint8Array) => s.write(d));
    s.on('end', () => s.end());
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen({ port: o.port, host: o.host, backlog: 4096 }, r));
  const port = listeningPort(server);
  const one = new Uint8Array([0x2a]);
  const oneConnection = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const c = o.clientNet.connect({ port, host: o.host });
      let echoed = false;
      c.once('connect', () => c.write(one));
      c.on('data', () => {
        echoed = true;
        c.end();
      });
      c.once('error', reject);
      c.once('close', () => (echoed ? resolve() : reject(new Error('closed before the echo'))));
    });
  const { finished, seconds, cpuSeconds } = await timedPhases(o, oneConnection);
  server.close();
  progress(
    `${o.label}: ${finished} connections (${o.parallel} in flight) in ${seconds.toFixed(3)} s` +
      (o.warmup > 0 ? ` after ${o.warmup} warm-up` : ''),
  );
  return { conns: finished, seconds, connsPerSecond: finished / seconds, cpuSeconds };
}

export interface PhaseOptions {
  /** Timed connections. */
  conns: number;
  /** Connections in flight at once (lanes). */
  parallel: number;
  /** Untimed connections first (see BenchOptions.connWarmup). */
  warmup: number;
  /** Bound on each phase. */
  timeoutMs: number;
  /** Timeout messages: `<label> warm-up (…)`, `<label> connection rate (…)`. */
  label: string;
  /** The timeout messages' count, given the connections finished and the phase's goal. */
  countText?: (finished: number, goal: number) => string;
}

/**
 * Runs `warmup` untimed connections, then `conns` timed ones, each phase as `parallel` lanes that
 * run `oneConnection` one after another until the phase's goal is started. Returns the timed
 * phase's finished count, wall-clock seconds and this process's CPU seconds (user + system).
 */
export async function timedPhases(
  o: PhaseOptions,
  oneConnection: () => Promise<void>,
): Promise<{ finished: number; seconds: number; cpuSeconds: number }> {
  const count = o.countText ?? ((f: number): string => `${f} done`);
  let started = 0;
  let finished = 0;
  let goal = 0;
  const lane = async (): Promise<void> => {
    while (started < goal) {
      started++;
      await oneConnection();
      finished++;
    }
  };
  const phase = (n: number): Promise<void[]> => {
    started = 0;
    finished = 0;
    goal = n;
    return Promise.all(Array.from({ length: Math.min(o.parallel, n) }, lane));
  };
  // Untimed first: the figure is the steady state, not the JIT's warm-up.
  if (o.warmup > 0) {
    await bounded(
      phase(o.warmup),
      o.timeoutMs,
      () => `${o.label} warm-up (${count(finished, o.warmup)})`,
    );
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await bounded(
    phase(o.conns),
    o.timeoutMs,
    () => `${o.label} connection rate (${count(finished, o.conns)})`,
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { finished, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}
