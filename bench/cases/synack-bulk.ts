/**
 * Bulk throughput of synack against itself: two stacks in this process on an unimpaired SimNetwork
 * with the real clock (packets cross on the next turn of the event loop, as a link's would), one
 * connection, `writeSize` bytes per write(), waiting for 'writable' when the send buffer is full.
 * Timed from ESTABLISHED to the receiver holding every byte; the byte count is checked.
 */
import type { Metrics, Params } from '../child.js';
import { bounded, num, progress } from './common.js';
import { bufferConfig, makePair, SERVER_ADDR } from './synack-pair.js';

export async function synackBulk(p: Params): Promise<Metrics> {
  const total = num(p, 'bytes');
  const writeSize = num(p, 'writeSize');
  const mtu = num(p, 'mtu');
  const timeoutMs = num(p, 'timeoutMs', 120_000);
  const tcp = bufferConfig(num(p, 'bufferSize', 0));
  const { net, client, server } = makePair({
    clock: 'real',
    mtu,
    offload: p.offload === true,
    ...(tcp ? { tcp } : {}),
  });
  let received = 0;
  let sent = 0;
  let t0 = 0;
  let cpu0 = process.cpuUsage();
  let resolveDone!: (t: number) => void;
  let rejectDone!: (e: Error) => void;
  const done = new Promise<number>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  const listener = server.openListener({ port: 5001 });
  listener.onConnection = (c) => {
    c.onEvent = (ev) => {
      if (ev.type === 'readable') {
        received += c.read().length;
        if (received >= total) resolveDone(performance.now());
      } else if (ev.type === 'closed' && received < total) {
        rejectDone(new Error(`receiver closed early: ${ev.error?.code ?? 'graceful'}`));
      }
    };
  };
  const chunk = new Uint8Array(writeSize).fill(0x5a);
  const conn = client.openConnection({ address: SERVER_ADDR, port: 5001 });
  const pump = (): void => {
    while (sent < total) {
      const want = Math.min(writeSize, total - sent);
      const n = conn.write(want === writeSize ? chunk : chunk.subarray(0, want));
      sent += n;
      if (n < want) return;
    }
  };
  conn.onEvent = (ev) => {
    if (ev.type === 'established') {
      t0 = performance.now();
      cpu0 = process.cpuUsage();
      pump();
    } else if (ev.type === 'writable') {
      pump();
    } else if (ev.type === 'closed') {
      rejectDone(new Error(`sender closed: ${ev.error?.code ?? 'graceful'}`));
    }
  };
  try {
    const t1 = await bounded(
      done,
      timeoutMs,
      () => `synack bulk (${received} of ${total} B received)`,
    );
    const seconds = (t1 - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const info = conn.info();
    progress(
      `synack MTU ${mtu}: ${total} B in ${seconds.toFixed(3)} s, ${net.stats.sent} packets, ` +
        `${info.totalRetransmits} retransmits`,
    );
    return {
      bytes: received,
      seconds,
      bitsPerSecond: (received * 8) / seconds,
      cpuSeconds,
      packets: net.stats.sent,
      retransmits: info.totalRetransmits,
    };
  } finally {
    net.close();
  }
}
