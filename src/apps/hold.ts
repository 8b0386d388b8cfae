/**
 * hold: accept and never read. The receive buffer fills, the advertised window falls to zero and
 * the peer's sender must probe it (RFC 9293 §3.8.6.1, zero-window probing) — the path this app
 * exists to show. When the peer closes, hold closes too (still without reading).
 */
import type { AppConn, RawApp } from './app.js';

export const holdApp: RawApp = {
  name: 'hold',
  summary: 'accept and never read (the zero-window path)',
  start(c: AppConn): void {
    let finished = false;
    c.onPeerFin = () => {
      if (!finished) {
        finished = true;
        c.close();
      }
    };
    c.kick();
  },
};
