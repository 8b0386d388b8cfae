/**
 * abort: RFC 9293 ABORT (§3.10.5) right after accepting — a RST instead of a FIN, so the peer's
 * next read or write fails with ECONNRESET. Not in the list; it is the server side of the
 * "an abort gives ECONNRESET" proof.
 */
import type { AppConn, RawApp } from './app.js';

export const abortApp: RawApp = {
  name: 'abort',
  summary: 'abort (RST) right after accepting',
  start(c: AppConn): void {
    c.abort();
  },
};
