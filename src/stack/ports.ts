/**
 * Ephemeral port selection, RFC 6056 §3.3.4 Algorithm 4 ("Double-Hash Port Selection Algorithm").
 *
 * For a remote endpoint, F(local IP, remote IP, remote port, key1) gives a fixed offset into the
 * ephemeral range, and G(same, key2) picks one counter of a table; the candidate port is
 * min + (offset + table[index]) mod num_ephemeral, and the counter is incremented on every try.
 * Connections to one endpoint thus walk the range sequentially from an unpredictable start (few
 * collisions, slow port reuse for the same 4-tuple, RFC 6056 §2.2), while different endpoints use
 * different, unrelated offsets and (mostly) different counters. The search is bounded by the size of
 * the range, so a full range ends in `undefined`, never a loop.
 */
import type { RandomSource } from '../tcp/random.js';
import { hashTuple } from '../tcp/isn.js';

/** RFC 6056 §3.2: the IANA dynamic/private range 49152–65535. */
export const DEFAULT_EPHEMERAL_MIN = 49152;
export const DEFAULT_EPHEMERAL_MAX = 65535;
/** RFC 6056 §3.3.4 leaves TABLE_LENGTH to the implementation; larger tables separate more endpoints. */
const TABLE_LENGTH = 1024;

export interface EphemeralPortOptions {
  min?: number;
  max?: number;
}

export class EphemeralPorts {
  readonly min: number;
  readonly max: number;
  readonly #key1: Uint8Array;
  readonly #key2: Uint8Array;
  readonly #table = new Uint32Array(TABLE_LENGTH);
  /**
   * F and G depend only on (local address, remote address, remote port), which a client repeats
   * for every connection to one server: the last endpoint's two SipHash values are kept.
   */
  #lastLocal = '';
  #lastRemote = '';
  #lastRemotePort = -1;
  #lastOffset = 0;
  #lastIndex = 0;

  constructor(random: RandomSource, opts: EphemeralPortOptions = {}) {
    const min = opts.min ?? DEFAULT_EPHEMERAL_MIN;
    const max = opts.max ?? DEFAULT_EPHEMERAL_MAX;
    if (!isPort(min) || !isPort(max) || min > max) {
      throw new RangeError(
        `EphemeralPorts: bad range ${min}–${max} (need 1 <= min <= max <= 65535)`,
      );
    }
    this.min = min;
    this.max = max;
    this.#key1 = random.bytes(16);
    this.#key2 = random.bytes(16);
    // "Initialization code at system boot time": every counter starts at a random value.
    for (let i = 0; i < TABLE_LENGTH; i++) this.#table[i] = random.nextU32() % 65536;
  }

  /** A free port for this remote endpoint, or undefined when every port in the range is in use. */
  pick(
    localAddress: string,
    remoteAddress: string,
    remotePort: number,
    inUse: (port: number) => boolean,
  ): number | undefined {
    const num = this.max - this.min + 1;
    if (
      localAddress !== this.#lastLocal ||
      remoteAddress !== this.#lastRemote ||
      remotePort !== this.#lastRemotePort
    ) {
      this.#lastOffset = hashTuple(this.#key1, localAddress, 0, remoteAddress, remotePort);
      this.#lastIndex =
        hashTuple(this.#key2, localAddress, 0, remoteAddress, remotePort) % TABLE_LENGTH;
      this.#lastLocal = localAddress;
      this.#lastRemote = remoteAddress;
      this.#lastRemotePort = remotePort;
    }
    const offset = this.#lastOffset;
    const index = this.#lastIndex;
    for (let count = num; count > 0; count--) {
      const port = this.min + ((offset + this.#table[index]!) % num);
      this.#table[index] = (this.#table[index]! + 1) >>> 0;
      if (!inUse(port)) return port;
    }
    return undefined;
  }
}

function isPort(p: number): boolean {
  return Number.isInteger(p) && p >= 1 && p <= 65535;
}
