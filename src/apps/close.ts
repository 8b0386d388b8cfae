/**
 * close: CLOSE right after accepting, so the server sends the first FIN and ends in TIME-WAIT
 * (RFC 9293 §3.6, the active closer). Data that still arrives is read and dropped: CLOSE only ends
 * our sending side (§3.10.4), and reading keeps the window open until the peer's FIN.
 */
import type { AppConn, RawApp } from './app.js';

export const closeApp: RawApp = {
  name: 'close',
  summary: 'close right after accepting (the server closes first)',
  start(c: AppConn): void {
    c.onReadable = () => c.discardReadable();
    c.onPeerFin = () => c.discardReadable();
    c.close();
    c.kick();
  },
};
