/**
 * Goodput under loss on the simulated network: one connection moving `bytes` across a path with a
 * 50 ms RTT (25 ms each way) and `lossPercent` loss in each direction, 256 KiB buffers, on the
 * virtual clock — the figure is bytes ÷ simulated time, so it does not depend on the machine's
 * speed, and each run uses its own seed.
 */
import type { Metrics, Params } from '../child.js';
import { num, progress } from './common.js';
import { makePair, SERVER_ADDR } from './synack-pair.js';

export async function synackLoss(p: Params): Promise<Metrics> {
  const total = num(p, 'bytes');
  const lossPercent = num(p, 'lossPercent');
  const seed = num(p, 'seed', 1);
  const buffer = num(p, 'bufferSize', 256 * 1024);
  const { net, client, server } = makePair({
    clock: 'virtual',
    mtu: 1500,
    seed,
    delay: 25,
    loss: lossPercent / 100,
    tcp: { sendBufferSize: buffer, receiveBufferSize: buffer },
  });
  let received = 0;
  let sent = 0;
  let tDone = -1;
  let failure: string | undefined;
  const l = server.openListener({ port: 5001 });
  l.onConnection = (c) => {
    c.onEvent = (ev) => {
      if (ev.type === 'readable') {
        received += c.read().length;
        if (received >= total && tDone < 0) tDone = net.clock.now();
      }
    };
  };
  const chunk = new Uint8Array(64 * 1024).fill(0x33);
  const conn = client.openConnection({ address: SERVER_ADDR, port: 5001 });
  let t0 = 0;
  const pump = (): void => {
    while (sent < total) {
      const want = Math.min(chunk.length, total - sent);
      const n = conn.write(want === chunk.length ? chunk : chunk.subarray(0, want));
      sent += n;
      if (n < want) return;
    }
  };
  conn.onEvent = (ev) => {
    if (ev.type === 'established') {
      t0 = net.clock.now();
      pump();
    } else if (ev.type === 'writable') pump();
    else if (ev.type === 'closed' && tDone < 0) failure = ev.error?.code ?? 'closed';
  };
  const wall0 = performance.now();
  // Simulated time is bounded (an hour), and run() bounds its steps: this cannot hang.
  net.run(3_600_000);
  const wall = (performance.now() - wall0) / 1000;
  const info = conn.info();
  net.close();
  if (tDone < 0)
    throw new Error(`transfer incomplete: ${received} of ${total} B (${failure ?? 'stalled'})`);
  const seconds = (tDone - t0) / 1000;
  progress(
    `synack loss ${lossPercent}%: ${total} B in ${seconds.toFixed(2)} s simulated ` +
      `(${wall.toFixed(2)} s wall), ${info.totalRetransmits} retransmits`,
  );
  return {
    bytes: received,
    seconds,
    bitsPerSecond: (received * 8) / seconds,
    retransmits: info.totalRetransmits,
    wallSeconds: wall,
  };
}
