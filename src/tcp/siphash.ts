/**
 * SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input PRF", 2012), 64-bit output.
 * Written from the paper's description: a 128-bit key k0‖k1 initialises four 64-bit words with the
 * constants "somepseudorandomlygeneratedbytes"; each 8-byte little-endian message word m is absorbed
 * with v3 ^= m, c = 2 SipRounds, v0 ^= m; the last word carries the message length mod 256 in its top
 * byte; finalisation is v2 ^= 0xff then d = 4 SipRounds, and the output is v0^v1^v2^v3.
 *
 * Used by the RFC 6528 ISN generator and the RFC 6056 port selector as the keyed PRF F(). The 64-bit
 * words are BigInts: these hashes run once per connection, clarity beats speed here.
 */
const MASK64 = (1n << 64n) - 1n;

function rotl(x: bigint, b: bigint): bigint {
  return ((x << b) | (x >> (64n - b))) & MASK64;
}

function readU64le(bytes: Uint8Array, at: number): bigint {
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]!);
  return v;
}

/** SipHash-2-4 of `message` under the 16-byte `key`, as an unsigned 64-bit BigInt. */
export function siphash24(key: Uint8Array, message: Uint8Array): bigint {
  if (key.length !== 16) throw new RangeError(`siphash24: key must be 16 bytes, got ${key.length}`);
  const k0 = readU64le(key, 0);
  const k1 = readU64le(key, 8);
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;

  const sipRound = (): void => {
    v0 = (v0 + v1) & MASK64;
    v1 = rotl(v1, 13n);
    v1 ^= v0;
    v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & MASK64;
    v3 = rotl(v3, 16n);
    v3 ^= v2;
    v0 = (v0 + v3) & MASK64;
    v3 = rotl(v3, 21n);
    v3 ^= v0;
    v2 = (v2 + v1) & MASK64;
    v1 = rotl(v1, 17n);
    v1 ^= v2;
    v2 = rotl(v2, 32n);
  };
  const absorb = (m: bigint): void => {
    v3 ^= m;
    sipRound();
    sipRound();
    v0 ^= m;
  };

  const len = message.length;
  const whole = len - (len % 8);
  for (let i = 0; i < whole; i += 8) absorb(readU64le(message, i));
  // Last word: the remaining 0..7 bytes, little-endian, with (len mod 256) in the most significant byte.
  let last = BigInt(len & 0xff) << 56n;
  for (let i = whole; i < len; i++) last |= BigInt(message[i]!) << BigInt(8 * (i - whole));
  absorb(last);

  v2 ^= 0xffn;
  for (let i = 0; i < 4; i++) sipRound();
  return (v0 ^ v1 ^ v2 ^ v3) & MASK64;
}

/** The low 32 bits of SipHash-2-4, as an unsigned number (what ISNs and port offsets need). */
export function siphash24U32(key: Uint8Array, message: Uint8Array): number {
  return Number(siphash24(key, message) & 0xffffffffn);
}
