/**
 * Node's own `http` over synack, through its public hooks only: the server side hands each synack
 * Socket to an http.Server with `server.emit('connection', socket)`; the client side gives an
 * http.Agent a `createConnection` that opens a synack Socket. Shared by the http, ws and undici tests.
 */
import http from 'node:http';
import { SimNetwork, type SimNetworkOptions } from '../../src/link/sim-network.js';
import type { Stack } from '../../src/stack/stack.js';
import type { Server, Socket } from '../../src/net/index.js';
import '../../src/net/index.js';

export const CLIENT = '198.18.0.1';
export const SERVER = '198.18.0.2';

export interface HttpPair {
  net: SimNetwork;
  client: Stack;
  server: Stack;
  tcpServer: Server;
  httpServer: http.Server;
  agent: http.Agent;
  /** TCP connections the server accepted. */
  accepted: Socket[];
  port: number;
  close(): Promise<void>;
}

export interface PairOptions extends SimNetworkOptions {
  /** Host MTU (both hosts). */
  mtu?: number;
  handler: http.RequestListener;
}

/**
 * With the virtual clock nothing moves unless someone steps it: `drive()` keeps calling settle()
 * (which yields to the event loop between steps, so http's nextTick/setImmediate code interleaves
 * as on a real network) until the pair is closed.
 */
export async function httpPair(opts: PairOptions): Promise<HttpPair> {
  const { handler, mtu, ...netOpts } = opts;
  const net = new SimNetwork({ seed: 1, ...netOpts, ...(mtu ? { mtu } : {}) });
  // A short MSL so that TIME-WAIT does not keep timers alive after the test (2·MSL = 100 ms).
  const tcp = { msl: 50 };
  const client = net.addHost({ address: CLIENT, tcp, ...(mtu ? { mtu } : {}) });
  const server = net.addHost({ address: SERVER, tcp, ...(mtu ? { mtu } : {}) });
  const httpServer = http.createServer(handler);
  // Under the virtual clock the keep-alive timer (a socket timeout on the stack's clock) could fire
  // whenever the network is idle for a moment of wall time; the tests reuse connections at once.
  httpServer.keepAliveTimeout = 0;
  const accepted: Socket[] = [];
  const tcpServer = server.createServer((s) => {
    accepted.push(s);
    httpServer.emit('connection', s);
  });
  tcpServer.listen(80, SERVER);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  // Agent#createConnection is the public hook Node documents for custom transports.
  agent.createConnection = (o: http.ClientRequestArgs) =>
    client.connect({ port: Number(o.port), host: String(o.host) }) as unknown as ReturnType<
      http.Agent['createConnection']
    >;
  let closed = false;
  const driving =
    net.clock.kind === 'virtual'
      ? (async () => {
          while (!closed) await net.settle({ timeout: 1e12 });
        })()
      : Promise.resolve();
  if (net.clock.kind !== 'virtual')
    await new Promise<void>((r) => tcpServer.once('listening', () => r()));
  return {
    net,
    client,
    server,
    tcpServer,
    httpServer,
    agent,
    accepted,
    port: 80,
    close: async () => {
      agent.destroy();
      for (const s of accepted) s.destroy();
      tcpServer.close();
      httpServer.close();
      closed = true;
      await driving;
      net.close();
    },
  };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** One request through the pair's agent; `body` is written by the caller's function (streaming). */
export function request(
  pair: HttpPair,
  path: string,
  body?: (req: http.ClientRequest) => void,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: SERVER, port: pair.port, path, method: body ? 'POST' : 'GET', agent: pair.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body) body(req);
    else req.end();
  });
}
