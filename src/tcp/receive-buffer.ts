/**
 * The receive buffer with reassembly. RFC 9293 §3.10.7.4, seventh step ("Process the segment text"):
 * segments that arrive ahead of RCV.NXT are held (the RFC leaves keeping them to the implementation;
 * every modern stack does, and SACK, RFC 2018, reports them) until the hole before them fills.
 *
 * Storage is one ring of up to `capacity` bytes, allocated when the first byte arrives and grown
 * by doubling (re-laid out from index 0) as the bytes held need it, so an idle connection holds no
 * buffer. The readable (in-order, not yet read) bytes occupy the
 * ring from `head`; the byte `offset` past the next expected one (RCV.NXT) lives at
 * head + readable + offset. Because insert() only keeps bytes with offset < capacity - readable
 * (the window, RFC 9293 §3.8.6), held out-of-order bytes never overlap unread ones.
 *
 * The held out-of-order ranges are kept as sorted, disjoint, non-adjacent [start, end) pairs in
 * absolute stream offsets (bytes since the buffer was created), so RCV.NXT moving does not require
 * renumbering them.
 *
 * In-order text that arrives while nothing else is waiting (no unread bytes in the ring, no hole)
 * is not copied at all: the buffer keeps the caller's array (a parsed payload is a view into the
 * packet, which the link handed over and nobody writes again) and read() hands it on, so a
 * reader that keeps up costs no copy on receive. Such views come first in the stream, the ring's
 * readable bytes after them. A view pins its whole underlying buffer (a packet, or a slab of small
 * packets), so views are kept only while the buffers they pin add up to at most twice the
 * capacity, only for payloads of VIEW_MIN bytes or more, and at most MAX_VIEWS of them; the rest
 * are copied as before. A smaller in-order payload that arrives while nothing at all is held is
 * copied once into an array of its own size (#own), which read() then hands on as it is: a
 * request or an echo of a few bytes costs one copy, not a ring block plus a second copy out of it.
 */
import { copyBytes, grownRingSize } from './send-buffer.js';
import { newBlock } from './small-block.js';
/*
 * Its helpers are static private methods: a private instance method would cost every instance a
 * field (V8 stores the class brand in each).
 */
export class ReceiveBuffer {
  /** Grows on demand up to #capacity (an idle connection holds no buffer); positions are ring offsets from #head. */
  #buf: Uint8Array = EMPTY;
  readonly #capacity: number;
  #head = 0;
  /** In-order bytes in the ring (they follow the #views). */
  #readable = 0;
  /**
   * A small in-order payload's copy, made when it arrived with nothing else held; first in the
   * stream (before the #views). Its bytes count in #viewBytes.
   */
  #own: Uint8Array | undefined = undefined;
  /** In-order payloads kept as they arrived (no copy), oldest first; they precede the ring's. */
  #views: Uint8Array[] = NO_VIEWS;
  /** In-order bytes held outside the ring: #own's and the #views'. */
  #viewBytes = 0;
  /** Bytes of the distinct underlying buffers the #views keep alive (consecutive views share). */
  #pinned = 0;
  /** Absolute stream offset of the next expected byte (RCV.NXT, relative to the buffer's start). */
  #next = 0;
  /**
   * Out-of-order ranges, absolute, ascending, disjoint, with gaps between them. NO_RANGES (shared,
   * never modified) while there are none: most connections never hold an out-of-order byte.
   */
  #ranges: Array<[number, number]> = NO_RANGES;
  #oooBytes = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) {
      throw new RangeError(`ReceiveBuffer capacity must be an integer >= 0, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /**
   * A shared empty buffer of `capacity` bytes for a connection that receives no more (TIME-WAIT,
   * see TcbCore.releaseBuffers): window and capacity as an empty buffer's, read() empty. Nothing
   * may insert into it (it throws, rather than mixing one connection's bytes into another's).
   */
  static idle(capacity: number): ReceiveBuffer {
    let b = IDLE.get(capacity);
    if (b === undefined) {
      // Bounded: settings with ever new buffer sizes make new idle buffers, not an ever larger map.
      if (IDLE.size >= IDLE_LIMIT) IDLE.clear();
      IDLE.set(capacity, (b = new IdleReceiveBuffer(capacity)));
    }
    return b;
  }

  /** Grows the ring to hold `need` bytes from #head, re-laid out from index 0 (doubling, capped). */
  static #ensure(b: ReceiveBuffer, need: number): void {
    const cur = b.#buf.length;
    if (need <= cur) return;
    const next = newBlock(grownRingSize(cur, need, b.#capacity));
    if (cur > 0) {
      next.set(b.#buf.subarray(b.#head), 0);
      next.set(b.#buf.subarray(0, b.#head), cur - b.#head);
    }
    b.#buf = next;
    b.#head = 0;
  }

  /** In-order bytes waiting for read(). */
  get readable(): number {
    return this.#viewBytes + this.#readable;
  }

  /** Bytes of memory the buffer made and holds: the ring and #own (0 when it holds nothing). */
  get allocated(): number {
    return this.#buf.length + (this.#own?.length ?? 0);
  }

  /** Bytes held past the first hole. */
  get outOfOrderBytes(): number {
    return this.#oooBytes;
  }

  /**
   * capacity - readable: the receive window to advertise (RFC 9293 §3.8.6). Out-of-order bytes do
   * not shrink it: they sit inside the window already offered.
   */
  get window(): number {
    return this.#capacity - this.#viewBytes - this.#readable;
  }

  /**
   * `data` starts `offset` bytes after the next expected byte (offset >= 0; the caller trimmed bytes
   * before RCV.NXT). Bytes at or beyond the window are discarded; overlaps and duplicates are stored
   * once. Returns how many bytes became in-order (the caller advances RCV.NXT by exactly that).
   * In-order bytes may be kept as a view of `data`: the caller must not change them afterwards.
   */
  insert(offset: number, data: Uint8Array): number {
    if (!Number.isInteger(offset) || offset < 0) {
      throw new RangeError(`ReceiveBuffer.insert: offset must be an integer >= 0, got ${offset}`);
    }
    const window = this.window;
    if (offset >= window || data.length === 0) return 0;
    const len = Math.min(data.length, window - offset);
    if (
      offset === 0 &&
      len < VIEW_MIN &&
      this.#viewBytes === 0 &&
      this.#readable === 0 &&
      this.#ranges.length === 0
    ) {
      // Nothing held at all: one copy of its own size, handed on by read() as it is. The
      // constructor and a copy, not slice() (which looks up a species constructor every call).
      const own = new Uint8Array(len);
      copyBytes(own, 0, data, 0, len);
      this.#own = own;
      this.#viewBytes = len;
      this.#next += len;
      return len;
    }
    if (
      offset === 0 &&
      this.#readable === 0 &&
      this.#ranges.length === 0 &&
      len >= VIEW_MIN &&
      this.#views.length < MAX_VIEWS
    ) {
      const views = this.#views;
      const last = views.length > 0 ? views[views.length - 1] : undefined;
      const pin = last !== undefined && last.buffer === data.buffer ? 0 : data.buffer.byteLength;
      if (this.#pinned + pin <= 2 * this.#capacity) {
        const view = len === data.length ? data : data.subarray(0, len);
        // `[view]`: an empty array's first push would make room for seventeen.
        if (views === NO_VIEWS) this.#views = [view];
        else views.push(view);
        this.#pinned += pin;
        this.#viewBytes += len;
        this.#next += len;
        return len;
      }
    }
    const bytes = len === data.length ? data : data.subarray(0, len);
    if (offset === 0 && this.#ranges.length === 0) {
      // In order with nothing held out of order: readable at once, no range to record and merge.
      ReceiveBuffer.#store(this, 0, bytes);
      this.#readable += len;
      this.#next += len;
      return len;
    }
    ReceiveBuffer.#store(this, offset, bytes);

    const start = this.#next + offset;
    ReceiveBuffer.#addRange(this, start, start + len);

    // The first range touching RCV.NXT becomes readable.
    const first = this.#ranges[0];
    if (first === undefined || first[0] !== this.#next) return 0;
    const gained = first[1] - first[0];
    if (this.#ranges.length === 1) this.#ranges = NO_RANGES;
    else this.#ranges.shift();
    this.#oooBytes -= gained;
    this.#readable += gained;
    this.#next += gained;
    return gained;
  }

  /** Removes up to `max` in-order bytes (all if omitted); an empty array when none. */
  read(max?: number): Uint8Array {
    if (max !== undefined && (!Number.isInteger(max) || max < 0)) {
      throw new RangeError(`ReceiveBuffer.read: max must be an integer >= 0, got ${max}`);
    }
    const readable = this.readable;
    const n = Math.min(max ?? readable, readable);
    // Nothing to read: one shared empty array (readers drain until empty: one such read each time).
    if (n === 0) return EMPTY;
    const own = this.#own;
    if (own !== undefined && n <= own.length) {
      // A small payload read whole (the usual case): the copy made on arrival, no second one.
      this.#viewBytes -= n;
      if (n === own.length) {
        this.#own = undefined;
        return own;
      }
      this.#own = own.subarray(n);
      return own.subarray(0, n);
    }
    const views = this.#views;
    const v = views[0];
    if (own === undefined && v !== undefined && n <= v.length) {
      // The common case of a reader that keeps up: the payload itself, no copy.
      if (n === v.length) ReceiveBuffer.#dropFirstView(this);
      else views[0] = v.subarray(n);
      this.#viewBytes -= n;
      return n === v.length ? v : v.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let done = 0;
    if (own !== undefined) {
      // (n > own.length here: all of it.)
      out.set(own, 0);
      this.#own = undefined;
      this.#viewBytes -= own.length;
      done = own.length;
    }
    while (done < n && views.length > 0) {
      const w = views[0] as Uint8Array;
      const take = Math.min(n - done, w.length);
      out.set(take === w.length ? w : w.subarray(0, take), done);
      if (take === w.length) ReceiveBuffer.#dropFirstView(this);
      else views[0] = w.subarray(take);
      this.#viewBytes -= take;
      done += take;
    }
    const k = n - done;
    if (k === 0) return out;
    const cap = this.#buf.length;
    const first = Math.min(k, cap - this.#head);
    out.set(this.#buf.subarray(this.#head, this.#head + first), done);
    if (first < k) out.set(this.#buf.subarray(0, k - first), done + first);
    this.#head = (this.#head + k) % cap;
    this.#readable -= k;
    // The ring holds nothing now (nothing unread, nothing out of order): let it go, so that a
    // connection gone idle after receiving holds no buffer (the next byte makes a small one).
    if (this.#readable === 0 && this.#oooBytes === 0) {
      this.#buf = EMPTY;
      this.#head = 0;
    }
    return out;
  }

  /** Removes the oldest view, unpinning its buffer unless the next view shares it. */
  static #dropFirstView(b: ReceiveBuffer): void {
    const views = b.#views;
    const v = views.shift() as Uint8Array;
    if (views[0]?.buffer !== v.buffer) b.#pinned -= v.buffer.byteLength;
  }

  /** Held ranges [start, end) relative to the next expected byte, ascending (for SACK, RFC 2018). */
  outOfOrderRanges(): Array<[number, number]> {
    return this.#ranges.map(([s, e]) => [s - this.#next, e - this.#next]);
  }

  /** Copies bytes to ring positions for offsets [offset, offset + data.length) past RCV.NXT. */
  static #store(b: ReceiveBuffer, offset: number, data: Uint8Array): void {
    ReceiveBuffer.#ensure(b, b.#readable + offset + data.length);
    const cap = b.#buf.length;
    const at = (b.#head + b.#readable + offset) % cap;
    const first = Math.min(data.length, cap - at);
    b.#buf.set(first === data.length ? data : data.subarray(0, first), at);
    if (first < data.length) b.#buf.set(data.subarray(first), 0);
  }

  /** Merges [start, end) into the range list, counting only bytes not held before. */
  static #addRange(b: ReceiveBuffer, start: number, end: number): void {
    if (b.#ranges === NO_RANGES) b.#ranges = [];
    const ranges = b.#ranges;
    // Find the first range whose end reaches start (ranges that merge with or follow the new one).
    let i = 0;
    while (i < ranges.length && ranges[i]![1] < start) i++;
    let s = start;
    let e = end;
    let covered = 0;
    let j = i;
    while (j < ranges.length && ranges[j]![0] <= end) {
      const [rs, re] = ranges[j]!;
      covered += re - rs;
      s = Math.min(s, rs);
      e = Math.max(e, re);
      j++;
    }
    ranges.splice(i, j - i, [s, e]);
    b.#oooBytes += e - s - covered;
  }
}

/** ReceiveBuffer.idle(): a subclass rather than a flag, which would cost every buffer a field. */
class IdleReceiveBuffer extends ReceiveBuffer {
  override insert(): number {
    throw new Error('ReceiveBuffer.insert: a shared idle buffer receives nothing');
  }
}

/** The shared idle buffers, by capacity (a stack uses one or a few receive buffer sizes). */
const IDLE = new Map<number, ReceiveBuffer>();
const IDLE_LIMIT = 16;
const EMPTY = new Uint8Array(0);
const NO_RANGES: Array<[number, number]> = [];
/** #views until the first kept payload (shared, never modified): an idle connection holds no array. */
const NO_VIEWS: Uint8Array[] = [];
/** Payloads below this are copied: a view would pin a whole packet for a few bytes. */
const VIEW_MIN = 512;
/** Views held at most (a reader that stalls makes the rest go to the ring). */
const MAX_VIEWS = 128;
