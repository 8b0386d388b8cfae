/**
 * The send buffer: bytes the user wrote that TCP has not yet had acknowledged. It holds both the
 * sent-but-unacknowledged bytes (SND.UNA..SND.NXT) and the not-yet-sent ones (RFC 9293 §3.3.1, the
 * send sequence space); the engine tracks which is which by offset from SND.UNA.
 *
 * Append-only blocks: write() copies the user's bytes into the newest block (the one copy a send
 * costs: the user may reuse its buffer once write returns), and a byte once written is never
 * overwritten. So peek() can return a view into a block instead of a copy: a segment's payload may
 * outlive the bytes in the buffer (a tracer keeping segments, a link or a test queueing them), and
 * since acknowledged bytes are dropped with their block rather than overwritten, the view never
 * changes. Only a segment that straddles two blocks is copied (once per block).
 *
 * A block is sized for the bytes held when it is made (doubling from 256, at most the capacity):
 * an idle connection holds no block, one that only ever sends a request or an echo holds a few
 * hundred bytes, and a bulk sender holds about two capacity-sized blocks (the one being
 * acknowledged, the one being filled). A block goes when its last byte is acknowledged.
 *
 * Transient mode (for a caller that copies each payload before it next calls the connection, as
 * the stack does when it builds the packet): acknowledged blocks are reused instead of dropped,
 * so a bulk sender allocates nothing in steady state (fresh zero-filled memory per block cost more
 * than the copy into it). A view from peek() then stays valid only until the next write().
 */
import { newBlock } from './small-block.js';

export class SendBuffer {
  /**
   * Oldest first. Every block but the last is full; the last holds #tailFill written bytes.
   * NO_BLOCKS (shared, never modified) until the first write: an idle connection holds no array.
   */
  #blocks: Uint8Array[] = NO_BLOCKS;
  #capacity: number;
  /** Index of the oldest held byte in #blocks[0]. */
  #head = 0;
  /** Bytes written into the last block. */
  #tailFill = 0;
  #length = 0;
  /**
   * undefined: views never change (acknowledged blocks are dropped). null or a block: transient
   * mode, with the last fully acknowledged block kept for reuse, if any.
   */
  #spare: Uint8Array | null | undefined;

  /** `transient`: reuse acknowledged blocks (see above); peek()'s views last until write(). */
  constructor(capacity: number, transient = false) {
    checkCapacity(capacity);
    this.#capacity = capacity;
    if (transient) this.#spare = null;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Bytes of block memory held (0 once everything written was acknowledged). */
  get allocated(): number {
    let n = 0;
    for (const b of this.#blocks) n += b.length;
    return n;
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
    if (this.allocated <= capacity) return;
    // Shrunk below what the blocks hold: keep only the held bytes, in one block of their size.
    const held = this.#length > 0 ? SendBuffer.#copy(this, 0, this.#length) : undefined;
    this.#blocks = held ? [held] : NO_BLOCKS;
    this.#head = 0;
    this.#tailFill = this.#length;
    if (this.#spare) this.#spare = null;
  }

  /** Copies up to `free` bytes of `data`; returns how many were taken. */
  write(data: Uint8Array): number {
    const n = Math.min(data.length, this.free);
    if (n === 0) return 0;
    let done = 0;
    // (Not blocks[length - 1] on no blocks: a load at index −1 is a property lookup by name.)
    const blocks = this.#blocks;
    const last = blocks.length > 0 ? blocks[blocks.length - 1] : undefined;
    if (last !== undefined && this.#tailFill < last.length) {
      done = Math.min(n, last.length - this.#tailFill);
      copyBytes(last, this.#tailFill, data, 0, done);
      this.#tailFill += done;
    }
    if (done < n) {
      const rest = n - done;
      const size = grownRingSize(0, this.#length + n, this.#capacity);
      const spare = this.#spare;
      let block: Uint8Array;
      if (spare && spare.length >= size) {
        block = spare;
        this.#spare = null;
      } else {
        block = newBlock(size);
      }
      copyBytes(block, 0, data, done, n);
      if (this.#blocks.length === 1 && this.#head === this.#tailFill) {
        // Every held byte was acknowledged: the old block has nothing left to keep.
        this.#blocks[0] = block;
        this.#head = 0;
      } else if (this.#blocks === NO_BLOCKS) {
        this.#blocks = [block];
      } else {
        this.#blocks.push(block);
      }
      this.#tailFill = rest;
    }
    this.#length += n;
    return n;
  }

  /**
   * Bytes [offset, offset+len) counted from the oldest held byte, clamped to what is held: a view
   * into the buffer when they lie in one block (they never change afterwards), else a copy.
   */
  peek(offset: number, len: number): Uint8Array {
    if (!Number.isInteger(offset) || !Number.isInteger(len) || offset < 0 || len < 0) {
      throw new RangeError(`SendBuffer.peek: bad range offset=${offset} len=${len}`);
    }
    const start = Math.min(offset, this.#length);
    const n = Math.min(len, this.#length - start);
    if (n === 0) return EMPTY;
    const blocks = this.#blocks;
    const last = blocks.length - 1;
    let i = 0;
    let pos = this.#head + start;
    while (i < last && pos >= (blocks[i] as Uint8Array).length) {
      pos -= (blocks[i] as Uint8Array).length;
      i++;
    }
    const block = blocks[i] as Uint8Array;
    const end = i === last ? this.#tailFill : block.length;
    // A view made by the constructor, as subarray() would make it without looking up a species
    // constructor each time (a block is always a plain Uint8Array of an ArrayBuffer of its own or
    // of a slab, so .buffer is there already).
    if (pos + n <= end) return new Uint8Array(block.buffer, block.byteOffset + pos, n);
    return SendBuffer.#copy(this, start, n);
  }

  /**
   * A fresh copy of the held bytes [start, start+n) (in range: the caller clamped). Static: a
   * private instance method would cost every instance a field (V8 keeps the class brand in each).
   */
  static #copy(b: SendBuffer, start: number, n: number): Uint8Array {
    const out = new Uint8Array(n);
    const blocks = b.#blocks;
    const last = blocks.length - 1;
    let pos = b.#head + start;
    let done = 0;
    for (let i = 0; i <= last && done < n; i++) {
      const block = blocks[i] as Uint8Array;
      const end = i === last ? b.#tailFill : block.length;
      if (pos >= end) {
        pos -= block.length;
        continue;
      }
      const take = Math.min(n - done, end - pos);
      out.set(block.subarray(pos, pos + take), done);
      done += take;
      pos = 0;
    }
    return out;
  }

  /** Drops the n oldest bytes (they were acknowledged); 0 <= n <= length. */
  consume(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.#length) {
      throw new RangeError(`SendBuffer.consume: ${n} is not in [0, ${this.#length}]`);
    }
    if (n === 0) return;
    this.#length -= n;
    this.#head += n;
    // Fully acknowledged blocks go (views handed out keep them alive as long as they need).
    const blocks = this.#blocks;
    while (blocks.length > 1 && this.#head >= (blocks[0] as Uint8Array).length) {
      this.#head -= (blocks[0] as Uint8Array).length;
      const done = blocks.shift() as Uint8Array;
      if (this.#spare !== undefined) this.#spare = done;
    }
    // Everything acknowledged: the last block goes too (and a transient spare), so that a
    // connection gone idle after sending holds no buffer (the next write makes a block sized for it).
    if (this.#length === 0) {
      this.#blocks = NO_BLOCKS;
      this.#head = 0;
      this.#tailFill = 0;
      if (this.#spare) this.#spare = null;
    }
  }
}

/**
 * dst[at, at + to − from) = src[from, to). A few bytes (a request, an echo) by a loop: set() costs
 * more to set up than such a copy, and a subarray() for it looks up a species constructor.
 */
export function copyBytes(
  dst: Uint8Array,
  at: number,
  src: Uint8Array,
  from: number,
  to: number,
): void {
  const n = to - from;
  if (n <= SMALL_COPY) {
    for (let i = 0; i < n; i++) dst[at + i] = src[from + i] as number;
  } else {
    dst.set(from === 0 && to === src.length ? src : src.subarray(from, to), at);
  }
}

/** Copies up to this many bytes go byte by byte (copyBytes). */
const SMALL_COPY = 16;
const EMPTY = new Uint8Array(0);
const NO_BLOCKS: Uint8Array[] = [];
/** The first allocation: small writes (requests, echoes) never cost the full capacity. */
const MIN_RING = 256;

/**
 * The next size of a lazily grown buffer (shared by SendBuffer and ReceiveBuffer): doubling from
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
