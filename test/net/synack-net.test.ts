/**
 * The shared behaviour suite (behaviours.ts) against synack: a client stack (198.18.0.1) and a
 * server stack (198.18.0.2) on a fresh SimNetwork with the real clock for every test, so that the
 * suite's wall-clock waits mean the same thing as over Node's loopback.
 */
import { SimNetwork } from '../../src/link/sim-network.js';
import '../../src/net/index.js';
import { runBehaviours } from './behaviours.js';

runBehaviours('synack stacks on a SimNetwork', async () => {
  const net = new SimNetwork({ seed: 1, clock: 'real' });
  // A short MSL keeps TIME-WAIT from outliving the test (the network is dropped afterwards anyway).
  const tcp = { msl: 50 };
  const client = net.addHost({ address: '198.18.0.1', tcp });
  const server = net.addHost({ address: '198.18.0.2', tcp });
  return {
    name: 'synack',
    client,
    server,
    serverHost: '198.18.0.2',
    clientHost: '198.18.0.1',
    // Nothing listens on the server stack unless a test opens it.
    refusedPort: async () => 4242,
    teardown: async () => {
      net.close();
    },
  };
});
