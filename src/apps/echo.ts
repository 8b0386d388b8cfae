/**
 * echo (RFC 862): every byte back, with flow control — while the send buffer is full nothing more
 * is read, so the receive window closes and the peer slows down; after the peer's FIN and once
 * everything is echoed, close (the peer closed first: CLOSE-WAIT → LAST-ACK → CLOSED here).
 */
import type { AppConn, RawApp } from './app.js';

export const echoApp: RawApp = {
  name: 'echo',
  summary: 'echo every byte; close after the peer closes',
  start(c: AppConn): void {
    let pending: Uint8Array | undefined;
    let finished = false;
    const pump = (): void => {
      for (let i = 0; i < 100_000 && !c.closed; i++) {
        if (pending) {
          const n = c.write(pending);
          if (n < pending.length) {
            pending = pending.subarray(n);
            return;
          }
          pending = undefined;
        }
        const data = c.read(65536);
        if (data.length === 0) break;
        pending = data;
      }
      if (c.peerFin && !pending && !finished && c.conn.readableLength === 0) {
        finished = true;
        c.close();
      }
    };
    c.onReadable = pump;
    c.onWritable = pump;
    c.onPeerFin = pump;
    c.kick();
  },
};
