/**
 * IP address text ↔ bytes. IPv4 dotted quad (RFC 791 §3.2 / the usual inet_aton strict form),
 * IPv6 per RFC 4291 §2.2 (parsing, incl. `::` and an embedded dotted quad) and RFC 5952 §4
 * (canonical output: lower case, no leading zeros, the longest run of ≥2 zero groups as `::`,
 * first run on ties, dotted quad only for IPv4-mapped addresses).
 */

/** Parses a strict dotted quad: four decimal parts 0..255, no leading zeros, no other characters. */
function parseIpv4Into(s: string, out: Uint8Array, offset: number): boolean {
  const parts = s.split('.');
  if (parts.length !== 4) return false;
  for (let i = 0; i < 4; i++) {
    const p = parts[i] as string;
    if (p.length === 0 || p.length > 3) return false;
    // A leading zero is ambiguous (octal in inet_aton): refuse it, as RFC 6943 §3.1.1 advises.
    if (p.length > 1 && p.charCodeAt(0) === 48) return false;
    let v = 0;
    for (let j = 0; j < p.length; j++) {
      const c = p.charCodeAt(j) - 48;
      if (c < 0 || c > 9) return false;
      v = v * 10 + c;
    }
    if (v > 255) return false;
    out[offset + i] = v;
  }
  return true;
}

function parseHexGroup(g: string): number {
  if (g.length === 0 || g.length > 4) return -1;
  let v = 0;
  for (let i = 0; i < g.length; i++) {
    const c = g.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    else return -1;
    v = (v << 4) | d;
  }
  return v;
}

/** Parses the groups of one side of `::` into 16-bit words; undefined if malformed. */
function parseGroups(side: string, allowV4Tail: boolean): number[] | undefined {
  if (side === '') return [];
  const groups = side.split(':');
  const words: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i] as string;
    if (allowV4Tail && i === groups.length - 1 && g.includes('.')) {
      const v4 = new Uint8Array(4);
      if (!parseIpv4Into(g, v4, 0)) return undefined;
      words.push(((v4[0] as number) << 8) | (v4[1] as number));
      words.push(((v4[2] as number) << 8) | (v4[3] as number));
      continue;
    }
    const w = parseHexGroup(g);
    if (w < 0) return undefined;
    words.push(w);
  }
  return words;
}

function parseIpv6(s: string): Uint8Array | undefined {
  if (s.length < 2 || s.length > 45) return undefined;
  const dbl = s.indexOf('::');
  let words: number[];
  if (dbl < 0) {
    const w = parseGroups(s, true);
    if (w === undefined || w.length !== 8) return undefined;
    words = w;
  } else {
    if (s.indexOf('::', dbl + 1) >= 0) return undefined;
    const head = parseGroups(s.slice(0, dbl), false);
    const tail = parseGroups(s.slice(dbl + 2), true);
    if (head === undefined || tail === undefined) return undefined;
    // `::` stands for one or more zero groups (RFC 4291 §2.2 item 2).
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    words = [...head, ...new Array<number>(missing).fill(0), ...tail];
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const w = words[i] as number;
    out[2 * i] = w >>> 8;
    out[2 * i + 1] = w & 0xff;
  }
  return out;
}

/** Address text → 4 or 16 bytes, or undefined if it is neither a dotted quad nor IPv6 text. */
export function parseIp(s: string): Uint8Array | undefined {
  if (s.includes(':')) return parseIpv6(s);
  const out = new Uint8Array(4);
  return parseIpv4Into(s, out, 0) ? out : undefined;
}

/** 4 for a dotted quad, 6 for IPv6 text, undefined otherwise. */
export function ipVersion(s: string): 4 | 6 | undefined {
  const b = parseIp(s);
  if (b === undefined) return undefined;
  return b.length === 4 ? 4 : 6;
}

function formatIpv4(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

function formatIpv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push(((b[2 * i] as number) << 8) | (b[2 * i + 1] as number));
  // RFC 5952 §5: IPv4-mapped addresses (::ffff:0:0/96) keep the dotted quad.
  if (words.slice(0, 5).every((w) => w === 0) && words[5] === 0xffff) {
    return `::ffff:${formatIpv4(b, 12)}`;
  }
  // RFC 5952 §4.2: the longest run of at least two zero groups becomes `::`, the first on ties.
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (bestStart < 0) return hex(words);
  return `${hex(words.slice(0, bestStart))}::${hex(words.slice(bestStart + bestLen))}`;
}

/** 4 or 16 bytes → text (RFC 5952 canonical for IPv6). Other lengths give `invalid(<n> bytes)`. */
export function formatIp(b: Uint8Array): string {
  if (b.length === 4) return formatIpv4(b, 0);
  if (b.length === 16) return formatIpv6(b);
  return `invalid(${b.length} bytes)`;
}

/** "1.2.3.4:80" or "[2001:db8::1]:80" (RFC 5952 §6). */
export function formatEndpoint(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** Byte-wise equality of two addresses. */
export function ipEquals(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
