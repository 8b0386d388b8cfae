/**
 * SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input PRF", 2012), 64-bit output.
 * Written from the paper's description: a 128-bit key k0‖k1 initialises four 64-bit words with the
 * constants "somepseudorandomlygeneratedbytes"; each 8-byte little-endian message word m is absorbed
 * with v3 ^= m, c = 2 SipRounds, v0 ^= m; the last word carries the message length mod 256 in its top
 * byte; finalisation is v2 ^= 0xff then d = 4 SipRounds, and the output is v0^v1^v2^v3.
 *
 * Used by the RFC 6528 ISN generator and the RFC 6056 port selector as the keyed PRF F(), several
 * times per connection. Each 64-bit word is held as two unsigned 32-bit halves (JS numbers): an add
 * carries from the low half into the high one, a rotation by b < 32 mixes the halves, a rotation by
 * 32 swaps them. (BigInt words were ~15× slower, a fifth of the connection-rate benchmark's time.)
 * The state lives in local variables of one function, rounds in one loop body: module-level `let`s
 * cost a context load and a hole check on every access, three times the time of the whole hash.
 */

/** The high 32 bits of the last hash (siphash24 reads it; the hash itself returns the low ones). */
let lastHigh = 0;

function u32le(b: Uint8Array, at: number): number {
  return (
    ((b[at] as number) |
      ((b[at + 1] as number) << 8) |
      ((b[at + 2] as number) << 16) |
      ((b[at + 3] as number) << 24)) >>>
    0
  );
}

/**
 * SipHash-2-4 of message[0, len) under `key`: returns the low 32 bits of the output, leaves the
 * high 32 in `lastHigh`.
 */
function run(key: Uint8Array, message: Uint8Array, len: number): number {
  if (key.length !== 16) throw new RangeError(`siphash24: key must be 16 bytes, got ${key.length}`);
  const k0l = u32le(key, 0);
  const k0h = u32le(key, 4);
  const k1l = u32le(key, 8);
  const k1h = u32le(key, 12);
  let v0h = (k0h ^ 0x736f6d65) >>> 0;
  let v0l = (k0l ^ 0x70736575) >>> 0;
  let v1h = (k1h ^ 0x646f7261) >>> 0;
  let v1l = (k1l ^ 0x6e646f6d) >>> 0;
  let v2h = (k0h ^ 0x6c796765) >>> 0;
  let v2l = (k0l ^ 0x6e657261) >>> 0;
  let v3h = (k1h ^ 0x74656462) >>> 0;
  let v3l = (k1l ^ 0x79746573) >>> 0;
  const whole = len - (len % 8);
  // Word `at` (bytes at..at+7) for at < whole; at === whole is the last word: the remaining 0..7
  // bytes, little-endian, with (len mod 256) in the most significant byte; then finalisation.
  for (let at = 0; ; at += 8) {
    let mh = 0;
    let ml = 0;
    let rounds = 4;
    const final = at > whole;
    if (at < whole) {
      ml = u32le(message, at);
      mh = u32le(message, at + 4);
      rounds = 2;
    } else if (at === whole) {
      mh = (len & 0xff) << 24;
      for (let i = whole; i < len; i++) {
        const shift = 8 * (i - whole);
        if (shift < 32) ml |= (message[i] as number) << shift;
        else mh |= (message[i] as number) << (shift - 32);
      }
      mh >>>= 0;
      ml >>>= 0;
      rounds = 2;
    } else {
      v2l = (v2l ^ 0xff) >>> 0;
    }
    v3h = (v3h ^ mh) >>> 0;
    v3l = (v3l ^ ml) >>> 0;
    for (let r = 0; r < rounds; r++) {
      let lo: number;
      let hi: number;
      // v0 += v1; v1 = rotl(v1, 13) ^ v0; v0 = rotl(v0, 32)
      lo = (v0l + v1l) >>> 0;
      v0h = (v0h + v1h + (lo < v0l ? 1 : 0)) >>> 0;
      v0l = lo;
      hi = (v1h << 13) | (v1l >>> 19);
      lo = (v1l << 13) | (v1h >>> 19);
      v1h = (hi ^ v0h) >>> 0;
      v1l = (lo ^ v0l) >>> 0;
      lo = v0l;
      v0l = v0h;
      v0h = lo;
      // v2 += v3; v3 = rotl(v3, 16) ^ v2
      lo = (v2l + v3l) >>> 0;
      v2h = (v2h + v3h + (lo < v2l ? 1 : 0)) >>> 0;
      v2l = lo;
      hi = (v3h << 16) | (v3l >>> 16);
      lo = (v3l << 16) | (v3h >>> 16);
      v3h = (hi ^ v2h) >>> 0;
      v3l = (lo ^ v2l) >>> 0;
      // v0 += v3; v3 = rotl(v3, 21) ^ v0
      lo = (v0l + v3l) >>> 0;
      v0h = (v0h + v3h + (lo < v0l ? 1 : 0)) >>> 0;
      v0l = lo;
      hi = (v3h << 21) | (v3l >>> 11);
      lo = (v3l << 21) | (v3h >>> 11);
      v3h = (hi ^ v0h) >>> 0;
      v3l = (lo ^ v0l) >>> 0;
      // v2 += v1; v1 = rotl(v1, 17) ^ v2; v2 = rotl(v2, 32)
      lo = (v2l + v1l) >>> 0;
      v2h = (v2h + v1h + (lo < v2l ? 1 : 0)) >>> 0;
      v2l = lo;
      hi = (v1h << 17) | (v1l >>> 15);
      lo = (v1l << 17) | (v1h >>> 15);
      v1h = (hi ^ v2h) >>> 0;
      v1l = (lo ^ v2l) >>> 0;
      lo = v2l;
      v2l = v2h;
      v2h = lo;
    }
    if (final) break;
    v0h = (v0h ^ mh) >>> 0;
    v0l = (v0l ^ ml) >>> 0;
  }
  lastHigh = (v0h ^ v1h ^ v2h ^ v3h) >>> 0;
  return (v0l ^ v1l ^ v2l ^ v3l) >>> 0;
}

/** SipHash-2-4 of `message` under the 16-byte `key`, as an unsigned 64-bit BigInt. */
export function siphash24(key: Uint8Array, message: Uint8Array): bigint {
  const lo = run(key, message, message.length);
  return (BigInt(lastHigh) << 32n) | BigInt(lo);
}

/**
 * The low 32 bits of SipHash-2-4, as an unsigned number (what ISNs and port offsets need), of
 * `message`'s first `length` bytes (default all: callers may hash a prefix of a scratch buffer).
 */
export function siphash24U32(
  key: Uint8Array,
  message: Uint8Array,
  length: number = message.length,
): number {
  return run(key, message, length);
}
