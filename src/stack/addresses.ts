/** Address and port arguments as the stack checks them (text in, canonical text out). */
import { formatIp, parseIp } from '../wire/address.js';

/** The IPv4 and IPv6 wildcard addresses a listener may bind to. */
export const ANY4 = '0.0.0.0';
export const ANY6 = '::';

export function isPort(p: unknown, allowZero: boolean): p is number {
  return typeof p === 'number' && Number.isInteger(p) && p >= (allowZero ? 0 : 1) && p <= 65535;
}

/** Canonical address text (RFC 5952 for IPv6) by input text: connect() calls repeat the same few. */
const canonicalCache = new Map<string, string>();

/** The canonical text of an address (RFC 5952 for IPv6), or undefined when it is not one. */
export function canonical(addr: string): string | undefined {
  if (typeof addr !== 'string') return undefined;
  const hit = canonicalCache.get(addr);
  if (hit !== undefined) return hit;
  const b = parseIp(addr);
  if (b === undefined) return undefined;
  const c = formatIp(b);
  if (canonicalCache.size >= 1024) canonicalCache.clear();
  canonicalCache.set(addr, c);
  return c;
}

/** The family of a canonical address text (cheaper than parsing it again). */
export function family(addr: string): 4 | 6 {
  return addr.includes(':') ? 6 : 4;
}

/**
 * Not a unicast host address: unspecified, IPv4 limited broadcast, IPv4 or IPv6 multicast. RFC
 * 9293 §3.9.2.3: a SYN from such a source (MUST-63) or to such a destination (MUST-57) is
 * silently discarded — with a TUN device answering every destination, this check matters.
 */
export function isNonUnicast(canonicalAddr: string): boolean {
  if (family(canonicalAddr) === 6) return canonicalAddr === '::' || canonicalAddr.startsWith('ff');
  if (canonicalAddr === '0.0.0.0' || canonicalAddr === '255.255.255.255') return true;
  // The first octet's digits, read in place: every SYN to a listener asks this twice, and a
  // substring and Number() each time were garbage.
  let first = 0;
  for (let i = 0; i < canonicalAddr.length; i++) {
    const c = canonicalAddr.charCodeAt(i);
    if (c === 0x2e) break; // '.'
    first = first * 10 + (c - 0x30);
  }
  return first >= 224 && first <= 239;
}
