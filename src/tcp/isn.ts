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
const TWO_32 = 0x1_0000_0000;

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
    const f = siphash24U32(
      this.#secret,
      encodeTuple(localAddress, localPort, remoteAddress, remotePort),
    );
    const ticks = Number.isFinite(nowMs) ? Math.floor(nowMs * TICKS_PER_MS) : 0;
    const m = ((ticks % TWO_32) + TWO_32) % TWO_32;
    return seq(m + f);
  }
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
  const out = new Uint8Array(2 + 2 * localAddress.length + 2 + 2 + 2 * remoteAddress.length + 2);
  let at = 0;
  const u16 = (v: number): void => {
    out[at++] = (v >>> 8) & 0xff;
    out[at++] = v & 0xff;
  };
  const str = (s: string): void => {
    u16(s.length);
    for (let i = 0; i < s.length; i++) u16(s.charCodeAt(i));
  };
  str(localAddress);
  u16(localPort);
  str(remoteAddress);
  u16(remotePort);
  return out;
}
