/** Endpoint text ("198.18.0.1:80", "[2001:db8::1]:80") ↔ address and port. */
import type { Endpoint, FourTuple } from '../stack/trace-event.js';

export interface AddressPort {
  address: string;
  port: number;
}

/** Splits an endpoint; undefined when it is not "address:port" or "[v6]:port". */
export function parseEndpoint(e: Endpoint): AddressPort | undefined {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(e) ?? /^([^:[\]]+):(\d{1,5})$/.exec(e);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  return { address: m[1] as string, port };
}

export function endpoint(address: string, port: number): Endpoint {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** "198.18.0.1:49152 → 198.18.0.2:80" (local first). */
export function connText(c: FourTuple): string {
  return `${endpoint(c.localAddress, c.localPort)} → ${endpoint(c.remoteAddress, c.remotePort)}`;
}

/** A stable key for a 4-tuple. */
export function connKey(c: FourTuple): string {
  return `${endpoint(c.localAddress, c.localPort)}|${endpoint(c.remoteAddress, c.remotePort)}`;
}
