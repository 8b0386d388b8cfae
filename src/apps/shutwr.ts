/**
 * shutwr: end the sending side right after accepting (our FIN first: a half-close, like Node's
 * socket.end() or shutdown(SHUT_WR)) and keep reading until the peer's FIN; the byte count in
 * serve's per-connection line shows what arrived after our FIN.
 */
import type { AppConn, RawApp } from './app.js';

export const shutwrApp: RawApp = {
  name: 'shutwr',
  summary: 'half-close right after accepting, read until the peer closes',
  start(c: AppConn): void {
    c.onReadable = () => c.discardReadable();
    c.onPeerFin = () => c.discardReadable();
    c.close();
    c.kick();
  },
};
