/**
 * The send buffer: bytes the user wrote that TCP has not yet had acknowledged. It holds both the
 * sent-but-unacknowledged bytes (SND.UNA..SND.NXT) and the not-yet-sent ones (RFC 9293 §3.3.1, the
 * send sequence space); the engine tracks which is which by offset from SND.UNA.
 *
 * A ring buffer: write() copies into the ring, consume() only moves the head, so steady-state
 * operation allocates nothing beyond what peek() returns. The ring is allocated on the first write
 * and grows by doubling up to the capacity: an idle connection (most of a server's) holds no buffer,
 * and one that only ever sends a request or an echo holds a few hundred bytes, not the full capacity. peek() always returns a copy: a segment's
 * payload may outlive the bytes in the ring (a tracer keeping segments, a link queueing them), and a
 * view into the ring would silently change once those bytes are acknowledged and overwritten.
 */
export class SendBuffer {
  /** Grows on demand up to #capacity: an idle connection holds no buffer at all. */
  #buf: Uint8Array = EMPTY;
  #capacity: number;
  /** Index of the oldest held byte. */
  #head = 0;
  #length = 0;

  constructor(capacity: number) {
    checkCapacity(capacity);
    this.#capacity = capacity;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Makes the ring hold at least `need` bytes (doubling, at most the capacity), keeping the bytes. */
  #ensure(need: number): void {
    const cur = this.#buf.length;
    if (need <= cur) return;
    const next = new Uint8Array(grownRingSize(cur, need, this.#capacity));
    if (this.#length > 0) next.set(this.peek(0, this.#length));
    this.#buf = next;
    this.#head = 0;
  }

  /** Bytes held: sent-but-unacknowledged + not yet sent. */
  get length(): number {
    return this.#length;
  }

  /** capacity - length. */
  get free(): number {
    return this.#capacity - this.#length;
  }

  /** Changes the capacity, keeping every held byte; never below the current length. */
  resize(capacity: number): void {
    checkCapacity(capacity);
    if (capacity < this.#length) {
      throw new RangeError(
        `SendBuffer.resize: ${capacity} is below the ${this.#length} bytes held`,
      );
    }
    this.#capacity = capacity;
    if (this.#buf.length <= capacity) return;
    const next = new Uint8Array(capacity);
    next.set(this.peek(0, this.#length));
    this.#buf = next;
    this.#head = 0;
  }

  /** Copies up to `free` bytes of `data`; returns how many were taken. */
  write(data: Uint8Array): number {
    const n = Math.min(data.length, this.free);
    if (n === 0) return 0;
    this.#ensure(this.#length + n);
    const cap = this.#buf.length;
    const tail = (this.#head + this.#length) % cap;
    const first = Math.min(n, cap - tail);
    this.#buf.set(data.subarray(0, first), tail);
    if (first < n) this.#buf.set(data.subarray(first, n), 0);
    this.#length += n;
    return n;
  }

  /** A copy of bytes [offset, offset+len) counted from the oldest held byte, clamped to what is held. */
  peek(offset: number, len: number): Uint8Array {
    if (!Number.isInteger(offset) || !Number.isInteger(len) || offset < 0 || len < 0) {
      throw new RangeError(`SendBuffer.peek: bad range offset=${offset} len=${len}`);
    }
    const start = Math.min(offset, this.#length);
    const n = Math.min(len, this.#length - start);
    if (n === 0) return new Uint8Array(0);
    const cap = this.#buf.length;
    const from = (this.#head + start) % cap;
    if (from + n <= cap) return this.#buf.slice(from, from + n);
    const out = new Uint8Array(n);
    const first = cap - from;
    out.set(this.#buf.subarray(from, cap), 0);
    out.set(this.#buf.subarray(0, n - first), first);
    return out;
  }

  /** Drops the n oldest bytes (they were acknowledged); 0 <= n <= length. */
  consume(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.#length) {
      throw new RangeError(`SendBuffer.consume: ${n} is not in [0, ${this.#length}]`);
    }
    if (n === 0) return;
    this.#length -= n;
    // An empty buffer restarts at index 0, so the next bytes are contiguous in the ring.
    this.#head = this.#length === 0 ? 0 : (this.#head + n) % this.#buf.length;
  }
}

const EMPTY = new Uint8Array(0);
/** The first allocation: small writes (requests, echoes) never cost the full capacity. */
const MIN_RING = 256;

/**
 * The next size of a lazily grown ring (shared by SendBuffer and ReceiveBuffer): doubling from
 * MIN_RING until `need` fits, never beyond `capacity`, so an idle connection holds a few hundred
 * bytes rather than its full buffer sizes.
 */
export function grownRingSize(current: number, need: number, capacity: number): number {
  let size = Math.max(MIN_RING, current * 2);
  while (size < need) size *= 2;
  return Math.min(size, capacity);
}

function checkCapacity(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < 0) {
    throw new RangeError(`SendBuffer capacity must be an integer >= 0, got ${capacity}`);
  }
}
