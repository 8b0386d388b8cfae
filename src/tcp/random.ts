/**
 * Randomness behind one interface, so that a simulation run with a seed is reproducible end to end
 * (ISNs, ephemeral ports, loss decisions) while a real stack draws from the platform CSPRNG.
 *
 * The seeded generator is sfc32 (Chris Doty-Humphrey's "Small Fast Counting" generator, 128-bit
 * state, 32-bit output), seeded through splitmix32 so that nearby seeds give unrelated streams.
 * It is NOT cryptographically secure: RFC 6528 / RFC 6056 secrets must come from cryptoRandom()
 * outside simulations.
 */
export interface RandomSource {
  /** A uniformly distributed integer in [0, 2^32). */
  nextU32(): number;
  /** A uniformly distributed number in [0, 1). */
  next(): number;
  /** n random bytes (a fresh array). */
  bytes(n: number): Uint8Array;
}

function checkByteCount(n: number): void {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`bytes(n): n must be an integer >= 0, got ${n}`);
}

function fillBytes(src: () => number, n: number): Uint8Array {
  checkByteCount(n);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i += 4) {
    let w = src();
    for (let j = i; j < Math.min(n, i + 4); j++) {
      out[j] = w & 0xff;
      w >>>= 8;
    }
  }
  return out;
}

/** Same seed, same stream. Any finite number is accepted (it is reduced to 32 bits). */
export function seededRandom(seed: number): RandomSource {
  // splitmix32 expands the 32-bit seed into sfc32's four state words.
  let s = Number.isFinite(seed) ? seed >>> 0 : 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = 1; // the counter word
  const nextU32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Discard the first outputs: sfc32's state needs a few rounds to mix.
  for (let i = 0; i < 12; i++) nextU32();
  return {
    nextU32,
    next: () => nextU32() / 0x1_0000_0000,
    bytes: (n) => fillBytes(nextU32, n),
  };
}

/** The subset of the Web Crypto API used here (present in browsers and Node >= 20 as globalThis.crypto). */
interface WebCryptoLike {
  getRandomValues<T extends Uint8Array | Uint32Array>(array: T): T;
}

function webCrypto(): WebCryptoLike {
  const c = (globalThis as { crypto?: WebCryptoLike }).crypto;
  if (c === undefined || typeof c.getRandomValues !== 'function') {
    throw new Error('cryptoRandom: globalThis.crypto.getRandomValues is not available');
  }
  return c;
}

/** Cryptographically strong randomness from globalThis.crypto.getRandomValues. */
export function cryptoRandom(): RandomSource {
  const crypto = webCrypto();
  // Draw words in batches: one getRandomValues call per 64 words.
  const pool = new Uint32Array(64);
  let used = pool.length;
  const nextU32 = (): number => {
    if (used === pool.length) {
      crypto.getRandomValues(pool);
      used = 0;
    }
    return pool[used++]!;
  };
  return {
    nextU32,
    next: () => nextU32() / 0x1_0000_0000,
    bytes: (n) => {
      checkByteCount(n);
      const out = new Uint8Array(n);
      // getRandomValues accepts at most 65536 bytes a call.
      for (let i = 0; i < n; i += 65536)
        crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
      return out;
    },
  };
}
