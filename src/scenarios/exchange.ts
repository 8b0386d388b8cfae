/**
 * The little application most scenarios run: the client connects to the server's port 80, sends an
 * HTTP-like request, the server answers with `bytes` bytes, and both close — by default the client
 * first once it has the whole answer, the server a moment after it sees the client's FIN (so the
 * ACK of that FIN and the server's own FIN are separate segments, and the client's FIN-WAIT-2 is
 * visible). Each knob changes one thing for one scenario.
 */
import type { TcpConnection } from '../stack/tcp-connection.js';
import { SERVER_ADDRESS, SERVER_PORT, type ScenarioContext } from './scenario.js';

export interface ExchangeOptions {
  /** When the client closes: after the whole response (default), right after its request, or never. */
  clientClose?: 'after-response' | 'after-request' | 'never';
  /** When the server closes: `delay` ms after the client's FIN (default), `delay` ms after writing its response, or never. */
  serverClose?: 'after-peer-fin' | 'after-response' | 'never';
  serverCloseDelay?: number;
  /** The client leaves received data unread for this long after the first byte (the window fills). */
  clientReadPause?: number;
  /** Called when the client has read this many bytes (e.g. to abort mid-transfer). */
  onClientBytes?: { at: number; run: (ctx: ScenarioContext) => void };
  /** Port the client connects to (default 80). */
  port?: number;
  /** Open no listener (a refused connection). */
  noListener?: boolean;
}

export const REQUEST = new TextEncoder().encode(
  `GET / HTTP/1.1\r\nHost: ${SERVER_ADDRESS}\r\n\r\n`,
);

/** An HTTP-like response of exactly `n` bytes (a header when there is room, then a body). */
export function response(n: number): Uint8Array {
  const out = new Uint8Array(n);
  const enc = new TextEncoder();
  // Content-Length counts the body only; its own digits change the header's size, so settle it.
  let header = enc.encode('');
  for (let i = 0; i < 3; i++) {
    header = enc.encode(
      `HTTP/1.1 200 OK\r\nContent-Length: ${Math.max(0, n - header.length)}\r\n\r\n`,
    );
  }
  if (header.length > n) header = new Uint8Array(0);
  out.set(header, 0);
  // A text body a reader recognises in a hex dump: the alphabet, over and over.
  for (let i = header.length; i < n; i++) out[i] = 97 + ((i - header.length) % 26);
  return out;
}

/** The server's side: a listener whose connections answer the request. */
export function serveOnce(ctx: ScenarioContext, o: ExchangeOptions = {}): void {
  const { server, serverPeer, params } = ctx;
  const l = server.openListener({ port: SERVER_PORT });
  const delay = o.serverCloseDelay ?? 1;
  let answered = false;
  serverPeer.onData = (total) => {
    if (answered || total < REQUEST.length) return;
    answered = true;
    serverPeer.write(response(params.bytes));
    if (o.serverClose === 'after-response') ctx.after(delay, () => serverPeer.close());
  };
  serverPeer.onPeerFin = () => {
    if ((o.serverClose ?? 'after-peer-fin') === 'after-peer-fin')
      ctx.after(delay, () => serverPeer.close());
  };
  l.onConnection = (c: TcpConnection) => {
    serverPeer.attach(c);
  };
}

/** The client's side: connect, request, read the response, close. */
export function fetchOnce(ctx: ScenarioContext, o: ExchangeOptions = {}): void {
  const { client, clientPeer, params } = ctx;
  const conn = client.openConnection({ address: SERVER_ADDRESS, port: o.port ?? SERVER_PORT });
  let closed = false;
  let pausedOnce = false;
  let hook = o.onClientBytes;
  clientPeer.onEstablished = () => {
    clientPeer.write(REQUEST);
    if (o.clientClose === 'after-request') clientPeer.close();
  };
  if (o.clientReadPause !== undefined) {
    const pause = o.clientReadPause;
    clientPeer.autoRead = false;
    // Read nothing until `pause` ms after the first byte arrived; then read as it comes.
    clientPeer.onUnread = () => {
      if (pausedOnce) return;
      pausedOnce = true;
      ctx.note(`the client's application reads nothing for ${pause} ms`);
      ctx.after(pause, () => {
        clientPeer.autoRead = true;
        clientPeer.readAll();
      });
    };
  }
  clientPeer.onData = (total) => {
    if (hook && total >= hook.at) {
      const h = hook;
      hook = undefined;
      h.run(ctx);
      return;
    }
    if (
      !closed &&
      total >= params.bytes &&
      (o.clientClose ?? 'after-response') === 'after-response'
    ) {
      closed = true;
      clientPeer.close();
    }
  };
  clientPeer.attach(conn);
}
