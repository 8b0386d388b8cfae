/**
 * The memory case's holder for endpoints wrapped in the Node-compatible Socket (src/net): a
 * synack Server per port on the server stack, `stack.connect()` sockets on the client stack, both
 * ends held. The network is settled (event loop turns included, as sockets need) after each batch.
 */
import '../../src/net/index.js';
import type { Socket } from '../../src/net/index.js';
import type { Pair } from './synack-pair.js';

export interface SocketHolder {
  open(n: number): Promise<void>;
  endpoints(): number;
  close(): void;
}

const BATCH = 2000;
const PER_PORT = 60_000;

export async function socketHolder(
  pair: Pair,
  ports: number[],
  serverAddress: string,
): Promise<SocketHolder> {
  const held: Socket[] = [];
  for (const port of ports) {
    const server = pair.server.createServer((s: Socket) => {
      s.on('error', () => {});
      held.push(s);
    });
    await new Promise<void>((resolve) =>
      server.listen({ port, host: serverAddress, backlog: 65535 }, resolve),
    );
  }
  let opened = 0;
  return {
    async open(n: number): Promise<void> {
      for (let done = 0; done < n;) {
        const k = Math.min(BATCH, n - done);
        for (let j = 0; j < k; j++) {
          const port = ports[Math.floor(opened / PER_PORT)]!;
          const s = pair.client.connect({ port, host: serverAddress });
          s.on('error', () => {});
          held.push(s);
          opened++;
        }
        await pair.net.settle({ timeout: 600_000 });
        done += k;
      }
    },
    endpoints: () => held.length,
    close: () => pair.net.close(),
  };
}
