/**
 * Two synack hosts on a SimNetwork: the in-process setup of the bulk, connection-rate, memory and
 * loss cases. Addresses come from 198.18.0.0/15 (RFC 2544's benchmarking range).
 */
import { SimNetwork, type SimNetworkOptions } from '../../src/link/sim-network.js';
import type { Stack } from '../../src/stack/stack.js';
import type { TcpConfig } from '../../src/tcp/config.js';

export const CLIENT_ADDR = '198.18.0.1';
export const SERVER_ADDR = '198.18.0.2';

export interface Pair {
  net: SimNetwork;
  client: Stack;
  server: Stack;
}

export interface PairOptions extends SimNetworkOptions {
  /** Both hosts' interface MTU. */
  mtu: number;
  tcp?: Partial<TcpConfig>;
  /** The client's ephemeral range (wide for the connection-rate and memory cases). */
  ephemeralMin?: number;
}

export function makePair(o: PairOptions): Pair {
  const { tcp, ephemeralMin, ...netOpts } = o;
  const net = new SimNetwork(netOpts);
  const eph = ephemeralMin === undefined ? undefined : { min: ephemeralMin, max: 65535 };
  const client = net.addHost({
    address: CLIENT_ADDR,
    name: 'client',
    mtu: o.mtu,
    ...(tcp ? { tcp } : {}),
    ...(eph ? { ephemeralPorts: eph } : {}),
  });
  const server = net.addHost({
    address: SERVER_ADDR,
    name: 'server',
    mtu: o.mtu,
    ...(tcp ? { tcp } : {}),
  });
  return { net, client, server };
}

/**
 * The connection-rate cases' pair (bare and Socket alike): MTU 1500, the real clock, the client's
 * ephemeral range 1024–65535 so that a run's connections never wait for a port (at most 60,000 a
 * run, warm-up included), and with `offload` a link with checksum offload, as the loopback Node's
 * baseline runs over has.
 */
export function connRatePair(conns: number, warmup: number, offload: boolean): Pair {
  if (conns + warmup > 60_000) {
    throw new Error('at most 60,000 connections a run, warm-up included (one ephemeral range)');
  }
  return makePair({ clock: 'real', mtu: 1500, ephemeralMin: 1024, offload });
}

/** TCP settings from the bench's --buffer flag (send and receive buffer alike). */
export function bufferConfig(bufferSize: number | undefined): Partial<TcpConfig> | undefined {
  return bufferSize === undefined || bufferSize <= 0
    ? undefined
    : { sendBufferSize: bufferSize, receiveBufferSize: bufferSize };
}
