/**
 * The body of `GET /bytes/N`: a fixed pseudo-random pattern, the same on every run and machine, so
 * that a client can check what it received (its SHA-256) without a copy of the sender's data. One
 * 1 MiB block of xorshift32 output (Marsaglia 2003, seed 2463534242, little-endian words),
 * repeated; byte i of the body is block[i mod 1 MiB].
 */
export const PATTERN_BLOCK = 1 << 20;

let block: Uint8Array | undefined;

export function patternBlock(): Uint8Array {
  if (block) return block;
  const words = new Uint32Array(PATTERN_BLOCK / 4);
  let x = 2463534242;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[i] = x;
  }
  // Byte order fixed explicitly (little-endian), whatever the host's.
  const b = new Uint8Array(PATTERN_BLOCK);
  const v = new DataView(b.buffer);
  for (let i = 0; i < words.length; i++) v.setUint32(i * 4, words[i] as number, true);
  block = b;
  return b;
}

/** The pattern's bytes [offset, offset + length), length ≤ 1 MiB. */
export function patternBytes(offset: number, length: number): Uint8Array {
  const b = patternBlock();
  const start = offset % PATTERN_BLOCK;
  const n = Math.min(length, PATTERN_BLOCK - start);
  return b.subarray(start, start + n);
}
