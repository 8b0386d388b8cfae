/**
 * What a Stack is made with and what its open calls take: the options of the public API (stack.ts
 * re-exports them), kept apart from the stack's machinery.
 */
import type { Clock } from './clock.js';
import type { TxMeta } from './link-offload.js';
import type { TraceSink } from './trace-event.js';
import type { TcpConfig } from '../tcp/config.js';

/** The link's send function: one IP packet, with offload metadata when the link declared offloads. */
export type LinkOutput = (packet: Uint8Array, meta?: TxMeta, payload?: Uint8Array) => void;

export interface StackOptions {
  /** For traces; default the first address. */
  name?: string;
  /** IPv4 and/or IPv6 addresses this stack owns. */
  addresses: string[];
  clock: Clock;
  /** Link MTU; default 1500 → MSS 1460 (IPv4) / 1440 (IPv6). */
  mtu?: number;
  /** Defaults for every connection. */
  tcp?: Partial<TcpConfig>;
  /** Deterministic ISN secret + ephemeral ports (simulation); default crypto-random. */
  seed?: number;
  /** Answer segments to any destination address (a TUN device is the route to everywhere). */
  acceptAnyAddress?: boolean;
  trace?: TraceSink;
  /** Ephemeral port range (RFC 6056 §3.2; default 49152–65535). */
  ephemeralPorts?: { min?: number; max?: number };
  /**
   * Software GSO (Linux's default for every device): connections build segments of up to 64 KiB
   * and the stack cuts them into MSS-sized packets just before a link without GSO — fewer trips
   * through the engine per byte. Default false: the engine builds MSS-sized segments, one by one.
   */
  softwareGso?: boolean;
}

export interface ListenOptions {
  /** 0 = an ephemeral port. */
  port: number;
  /** A local address, or omitted / '::' for every address ('0.0.0.0': every IPv4 address). */
  address?: string;
  /** Bound on both the SYN queue and the accept queue (default 511, Linux's somaxconn-era default). */
  backlog?: number;
  tcp?: Partial<TcpConfig>;
}

export interface ConnectOptions {
  address: string;
  port: number;
  localAddress?: string;
  localPort?: number;
  tcp?: Partial<TcpConfig>;
}
