/** discard (RFC 863): read and drop everything; close after the peer's FIN. */
import type { AppConn, RawApp } from './app.js';

export const discardApp: RawApp = {
  name: 'discard',
  summary: 'read and drop everything; close after the peer closes',
  start(c: AppConn): void {
    let finished = false;
    c.onReadable = () => c.discardReadable();
    c.onPeerFin = () => {
      c.discardReadable();
      if (!finished) {
        finished = true;
        c.close();
      }
    };
    c.kick();
  },
};
