/**
 * Initial sequence numbers, RFC 6528 §3 (and RFC 9293 §3.4.1): ISN = M + F(localip, localport,
 * remoteip, remoteport, secretkey), where M is a timer ticking every 4 µs and F a keyed
 * pseudorandom function — here SipHash-2-4 (RFC 6528 suggests MD5; §3 allows any PRF, and SipHash
 * is what Linux uses for the same job). The timer keeps successive incarnations of one 4-tuple
 * moving forward (~250 per ms, the RFC 793 clock), while F makes different 4-tuples' sequence spaces
 * unrelated and unpredictable to an off-path attacker without the secret.
 */
import { seq, type SeqNum } from '../wire/seqnum.js';
import { siphash24U32 } from './siphash.js';

/** RFC 6528 §3: M is incremented every 4 microseconds, i.e. 250 ticks a millisecond. */
const TICKS_PER_MS = 250;

export class IsnGenerator {
  readonly #secret: Uint8Array;

  /** `secret`: 16 bytes, from a CSPRNG (or a seeded source in simulations). */
  constructor(secret: Uint8Array) {
    if (secret.length !== 16) {
      throw new RangeError(`IsnGenerator: the secret must be 16 bytes, got ${secret.length}`);
    }
    this.#secret = secret.slice();
  }

  /** The ISN for a connection on this 4-tuple created at `nowMs` (any monotonic millisecond clock). */
  isn(
    localAddress: string,
    localPort: number,
    remoteAddress: string,
    remotePort: number,
    nowMs: number,
  ): SeqNum {
    const f = hashTuple(this.#secret, localAddress, localPort, remoteAddress, remotePort);
    const ticks = Number.isFinite(nowMs) ? Math.floor(nowMs * TICKS_PER_MS) : 0;
    // M = ticks mod 2^32: `>>> 0` (ToUint32) is exactly that for any finite integer, negative
    // ones included, without two floating-point remainders.
    const m = ticks >>> 0;
    return seq(m + f);
  }
}

/**
 * Room for any two canonical address texts (an IPv6 text is at most 45 characters): the tuple is
 * encoded here, not into a new array per connection.
 */
const scratch = new Uint8Array(2 * (2 + 2 * 45 + 2));

/**
 * SipHash-2-4 of the 4-tuple's `encodeTuple` bytes under `key`, as a u32 (ISNs here, ephemeral
 * ports in src/stack/ports.ts). Encodes into a shared scratch array, or a new one for addresses
 * too long for it.
 */
export function hashTuple(
  key: Uint8Array,
  localAddress: string,
  localPort: number,
  remoteAddress: string,
  remotePort: number,
): number {
  const len = encodeTupleInto(scratch, localAddress, localPort, remoteAddress, remotePort);
  return len <= scratch.length
    ? siphash24U32(key, scratch, len)
    : siphash24U32(key, encodeTuple(localAddress, localPort, remoteAddress, remotePort));
}

/** Bytes `encodeTuple` produces for these addresses. */
function encodedLength(localAddress: string, remoteAddress: string): number {
  return 8 + 2 * localAddress.length + 2 * remoteAddress.length;
}

/**
 * An unambiguous byte encoding of the 4-tuple: each address as a length-prefixed sequence of its
 * UTF-16 code units (addresses are ASCII text), each port as 2 bytes. The length prefixes keep
 * ("1.2.3.4", "5…") and ("1.2.3.45", "…") apart.
 */
export function encodeTuple(
  localAddress: string,
  localPort: number,
  remoteAddress: string,
  remotePort: number,
): Uint8Array {
  const out = new Uint8Array(encodedLength(localAddress, remoteAddress));
  encodeTupleInto(out, localAddress, localPort, remoteAddress, remotePort);
  return out;
}

/**
 * `encodeTuple` into `out` from offset 0; returns the encoding's length. When `out` is too short it
 * writes nothing and the returned length tells the caller to use `encodeTuple` instead.
 */
function encodeTupleInto(
  out: Uint8Array,
  localAddress: string,
  localPort: number,
  remoteAddress: string,
  remotePort: number,
): number {
  const len = encodedLength(localAddress, remoteAddress);
  if (len > out.length) return len;
  let at = putText(out, 0, localAddress);
  out[at++] = (localPort >>> 8) & 0xff;
  out[at++] = localPort & 0xff;
  at = putText(out, at, remoteAddress);
  out[at++] = (remotePort >>> 8) & 0xff;
  out[at] = remotePort & 0xff;
  return len;
}

function putText(out: Uint8Array, at: number, s: string): number {
  const n = s.length;
  out[at++] = (n >>> 8) & 0xff;
  out[at++] = n & 0xff;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    out[at++] = (c >>> 8) & 0xff;
    out[at++] = c & 0xff;
  }
  return at;
}
