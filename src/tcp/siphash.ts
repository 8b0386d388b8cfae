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
 */

// The state v0..v3 as (high, low) halves; module-level so that a hash allocates nothing.
let v0h = 0;
let v0l = 0;
let v1h = 0;
let v1l = 0;
let v2h = 0;
let v2l = 0;
let v3h = 0;
let v3l = 0;

function sipRound(): void {
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

function absorb(mh: number, ml: number): void {
  v3h = (v3h ^ mh) >>> 0;
  v3l = (v3l ^ ml) >>> 0;
  sipRound();
  sipRound();
  v0h = (v0h ^ mh) >>> 0;
  v0l = (v0l ^ ml) >>> 0;
}

function u32le(b: Uint8Array, at: number): number {
  return (
    ((b[at] as number) |
      ((b[at + 1] as number) << 8) |
      ((b[at + 2] as number) << 16) |
      ((b[at + 3] as number) << 24)) >>>
    0
  );
}

/** Runs SipHash-2-4; the result is left in (v0h ^ v1h ^ v2h ^ v3h, v0l ^ v1l ^ v2l ^ v3l). */
function run(key: Uint8Array, message: Uint8Array): void {
  if (key.length !== 16) throw new RangeError(`siphash24: key must be 16 bytes, got ${key.length}`);
  const k0l = u32le(key, 0);
  const k0h = u32le(key, 4);
  const k1l = u32le(key, 8);
  const k1h = u32le(key, 12);
  v0h = (k0h ^ 0x736f6d65) >>> 0;
  v0l = (k0l ^ 0x70736575) >>> 0;
  v1h = (k1h ^ 0x646f7261) >>> 0;
  v1l = (k1l ^ 0x6e646f6d) >>> 0;
  v2h = (k0h ^ 0x6c796765) >>> 0;
  v2l = (k0l ^ 0x6e657261) >>> 0;
  v3h = (k1h ^ 0x74656462) >>> 0;
  v3l = (k1l ^ 0x79746573) >>> 0;
  const len = message.length;
  const whole = len - (len % 8);
  for (let i = 0; i < whole; i += 8) absorb(u32le(message, i + 4), u32le(message, i));
  // Last word: the remaining 0..7 bytes, little-endian, with (len mod 256) in the most significant byte.
  let ml = 0;
  let mh = (len & 0xff) << 24;
  for (let i = whole; i < len; i++) {
    const shift = 8 * (i - whole);
    if (shift < 32) ml |= (message[i] as number) << shift;
    else mh |= (message[i] as number) << (shift - 32);
  }
  absorb(mh >>> 0, ml >>> 0);
  v2l = (v2l ^ 0xff) >>> 0;
  sipRound();
  sipRound();
  sipRound();
  sipRound();
}

/** SipHash-2-4 of `message` under the 16-byte `key`, as an unsigned 64-bit BigInt. */
export function siphash24(key: Uint8Array, message: Uint8Array): bigint {
  run(key, message);
  const hi = (v0h ^ v1h ^ v2h ^ v3h) >>> 0;
  const lo = (v0l ^ v1l ^ v2l ^ v3l) >>> 0;
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** The low 32 bits of SipHash-2-4, as an unsigned number (what ISNs and port offsets need). */
export function siphash24U32(key: Uint8Array, message: Uint8Array): number {
  run(key, message);
  return (v0l ^ v1l ^ v2l ^ v3l) >>> 0;
}
