/**
 * The oracle: the shared behaviour suite against Node's own `net` over loopback (127.0.0.1, port 0).
 * synack-net.test.ts runs the very same behaviours against two synack stacks.
 */
import * as net from 'node:net';
import { runBehaviours } from './behaviours.js';

runBehaviours("Node's net over loopback", async () => ({
  name: 'node',
  client: net,
  server: net,
  serverHost: '127.0.0.1',
  clientHost: '127.0.0.1',
  // A port that was just free: listen on port 0, note it, close. Nothing else binds it in between
  // on a test machine (the kernel hands ephemeral ports out round-robin).
  refusedPort: () =>
    new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    }),
  teardown: async () => {},
}));
