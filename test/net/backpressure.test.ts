/**
 * Backpressure end to end: a fast writer and a slow reader. Memory held for the connection — the
 * writer's stream buffer, its TCP send buffer, the reader's TCP receive buffer and its stream
 * buffer — is measured at every step and never exceeds the configured sizes; the reader's pause
 * drives the window to zero (RFC 9293 §3.8.6.1), which the trace shows, and the sender sees it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { SimNetwork } from '../../src/link/sim-network.js';
import { TcpFlag } from '../../src/wire/tcp-segment.js';
import type { Socket } from '../../src/net/index.js';
import '../../src/net/index.js';
import { pattern, sleep, until, waitFor } from './helpers.js';

const KiB = 1024;

test(
  'fast writer, slow reader → buffered bytes stay within the configured sizes; zero window advertised and seen',
  { timeout: 60_000 },
  async (t) => {
    const sendBufferSize = 64 * KiB;
    const receiveBufferSize = 64 * KiB;
    const net = new SimNetwork({ seed: 8, clock: 'real', delay: 1 });
    const sockets: Socket[] = [];
    t.after(() => {
      for (const s of sockets) s.destroy();
      net.close();
    });
    // minRto 50 ms: the persist timer runs on the RTO (RFC 9293 §3.8.6.1), so with it the SWS
    // override and the zero-window probes happen within the reader's pause, not a second later.
    const tcp = { msl: 50, sendBufferSize, receiveBufferSize, minRto: 50 };
    const client = net.addHost({ address: '198.18.0.1', tcp });
    const server = net.addHost({ address: '198.18.0.2', tcp });
    let zeroWindowAdverts = 0;
    let probes = 0;
    client.setTrace((ev) => {
      // Zero-window probes: one byte sent while the peer's window is zero (§3.8.6.1).
      if (ev.type === 'segment' && ev.event === 'send' && ev.segment.payload.length === 1) probes++;
    });
    server.setTrace((ev) => {
      if (ev.type !== 'segment' || ev.event !== 'send') return;
      const f = ev.segment.flags;
      if (ev.segment.window === 0 && f & TcpFlag.ACK && !(f & (TcpFlag.SYN | TcpFlag.RST))) {
        zeroWindowAdverts++;
      }
    });
    let reader: Socket | undefined;
    const srv = server.createServer({ pauseOnConnect: true }, (s) => (reader = s));
    srv.listen(5001, '198.18.0.2');
    await waitFor(srv, 'listening');
    const writer = client.connect(5001, '198.18.0.2');
    // Without Nagle the writer fills the last, partial segment of the window at once, so the
    // window closes to exactly zero (with Nagle the last < MSS bytes wait for the override timer).
    writer.setNoDelay(true);
    await waitFor(writer, 'connect');
    await until(() => reader !== undefined);
    const r = reader as Socket;
    sockets.push(writer, r);

    const chunkSize = 16 * KiB;
    const total = 4 * 1024 * KiB;
    const limits = {
      writerStream: writer.writableHighWaterMark + chunkSize,
      sendBuffer: sendBufferSize,
      receiveBuffer: receiveBufferSize,
      readerStream: 2 * r.readableHighWaterMark,
    };
    const peak = { writerStream: 0, sendBuffer: 0, receiveBuffer: 0, readerStream: 0 };
    let senderSawZeroWindow = false;
    const sample = (): void => {
      const wi = writer.tcpInfo();
      const ri = r.tcpInfo();
      peak.writerStream = Math.max(peak.writerStream, writer.writableLength);
      peak.sendBuffer = Math.max(peak.sendBuffer, wi?.sendBuffered ?? 0);
      peak.receiveBuffer = Math.max(peak.receiveBuffer, ri?.receiveBuffered ?? 0);
      peak.readerStream = Math.max(peak.readerStream, r.readableLength);
      if (wi && wi.sndWnd === 0) senderSawZeroWindow = true;
    };

    // The writer: as fast as write()/'drain' allow.
    const sent = createHash('sha256');
    const writing = (async () => {
      const base = pattern(chunkSize, 17);
      for (let i = 0; i < total / chunkSize; i++) {
        const chunk = Buffer.from(base);
        chunk.writeUInt32BE(i, 0);
        sent.update(chunk);
        const ok = writer.write(chunk);
        sample();
        if (!ok) await waitFor(writer, 'drain', 20_000);
      }
      writer.end();
    })();

    // The reader reads nothing until the zero-window path has run: the window closed, the
    // writer saw it and probed it (bounded wait, not a timing assertion); then 8 KiB every 2 ms.
    await until(
      () => {
        sample();
        return zeroWindowAdverts > 0 && senderSawZeroWindow && probes > 0;
      },
      20_000,
      'a zero window, seen by the writer and probed',
    );
    // Filled to within one segment (the sender's last segment must fit the window it was offered).
    assert.ok(
      peak.receiveBuffer > receiveBufferSize - 1460,
      `the receive buffer filled while paused (${peak.receiveBuffer} bytes)`,
    );
    const got = createHash('sha256');
    let received = 0;
    let ended = false;
    r.once('end', () => (ended = true));
    const deadline = Date.now() + 40_000;
    while (!ended && Date.now() < deadline) {
      for (let k = 0; k < 2; k++) {
        const d = r.read(8 * KiB) as Buffer | null;
        if (d) {
          got.update(d);
          received += d.length;
        }
      }
      sample();
      if (received === total) r.read(0);
      await sleep(2);
    }
    await writing;

    assert.equal(received, total);
    assert.equal(got.digest('hex'), sent.digest('hex'));
    for (const k of Object.keys(limits) as (keyof typeof limits)[]) {
      assert.ok(peak[k] <= limits[k], `${k}: peak ${peak[k]} ≤ limit ${limits[k]}`);
    }
    assert.ok(zeroWindowAdverts > 0, 'the reader advertised a zero window');
    assert.ok(senderSawZeroWindow, "the writer's send window reached zero");
    assert.ok(probes > 0, 'the writer probed the zero window');
  },
);
