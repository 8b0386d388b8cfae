/**
 * Deadlines that come in nondecreasing order, in a FIFO: O(1) to add, to remove and to pop, where
 * a heap costs O(log n) and touches log n other items per change. The stack keeps its TIME-WAIT
 * connections here (RFC 9293 §3.6: each waits 2·MSL from its last FIN, so on a real clock every new
 * TIME-WAIT deadline is the latest one): a client closing 60,000 connections a minute would
 * otherwise keep 60,000 heap slots, and every timer change of its live connections would sift
 * through them. Linux, too, keeps TIME-WAIT sockets apart (inet_timewait_sock, its own timer).
 *
 * Removal is lazy: an item's entry records the item's membership number (`fifoSeq`); removing or
 * re-adding the item changes that number, and entries whose number no longer matches are skipped
 * when they reach the head. Entries keep the order of their numbers, so an item's entry is found
 * by binary search. Stale entries are bounded: re-adding the tail item updates its entry in place
 * (a TIME-WAIT connection drained again and again), and once stale entries outnumber the live ones
 * by 1024 the FIFO is compacted.
 */
export interface DeadlineFifoItem {
  /** The item's live entry's number; -1 when not queued. Owned by DeadlineFifo. */
  fifoSeq: number;
}

/** Membership numbers wrap within V8's small integers (2^30), long after any entry is gone. */
const SEQ_MASK = 0x3fffffff;

export class DeadlineFifo<T extends DeadlineFifoItem> {
  #items: (T | undefined)[] = [];
  #deadlines: number[] = [];
  #seqs: number[] = [];
  #head = 0;
  #tail = 0;
  #size = 0;
  /** Entries between head and tail whose item was deleted or re-added since. */
  #stale = 0;
  #nextSeq = 0;

  /** Items queued (entries that are not stale). */
  get size(): number {
    return this.#size;
  }

  has(item: T): boolean {
    return item.fifoSeq >= 0;
  }

  /** Entries held, live and stale (for tests: the memory a FIFO keeps). */
  get entryCount(): number {
    return this.#tail - this.#head;
  }

  /** The deadline `item` is queued at, or undefined when it is not queued. */
  deadlineOf(item: T): number | undefined {
    const i = this.#indexOf(item);
    return i < 0 ? undefined : this.#deadlines[i];
  }

  /** Whether `deadline` keeps the order (not before the last entry's), i.e. add() accepts it. */
  accepts(deadline: number): boolean {
    return this.#tail === this.#head || deadline >= this.#deadlines[this.#tail - 1]!;
  }

  /** Queues `item` at `deadline` (which accepts() must allow), replacing its earlier entry. */
  add(item: T, deadline: number): void {
    if (!this.accepts(deadline)) {
      throw new RangeError(`DeadlineFifo: ${deadline} is before the last deadline`);
    }
    if (item.fifoSeq >= 0) {
      const last = this.#tail - 1;
      if (this.#seqs[last] === item.fifoSeq && this.#items[last] === item) {
        // Its live entry is the last one: moving it later keeps the order, no new entry needed.
        this.#deadlines[last] = deadline;
        return;
      }
      this.#stale++;
    } else {
      this.#size++;
    }
    const seq = this.#nextSeq;
    this.#nextSeq = (seq + 1) & SEQ_MASK;
    this.#items[this.#tail] = item;
    this.#deadlines[this.#tail] = deadline;
    this.#seqs[this.#tail++] = seq;
    item.fifoSeq = seq;
    if (this.#stale > this.#size + 1024) this.#compact();
  }

  /** Removes `item`; false if it was not queued. */
  delete(item: T): boolean {
    if (item.fifoSeq < 0) return false;
    item.fifoSeq = -1;
    this.#size--;
    this.#stale++;
    return true;
  }

  /** The earliest deadline, Infinity when empty (a plain number: no heap number per call). */
  nextAt(): number {
    this.#skipStale();
    return this.#head < this.#tail ? this.#deadlines[this.#head]! : Infinity;
  }

  /** Removes and returns the earliest item if its deadline is <= now. */
  popDue(now: number): T | undefined {
    this.#skipStale();
    if (this.#head === this.#tail || this.#deadlines[this.#head]! > now) return undefined;
    const item = this.#items[this.#head]!;
    this.#drop();
    item.fifoSeq = -1;
    this.#size--;
    return item;
  }

  clear(): void {
    for (let i = this.#head; i < this.#tail; i++) {
      const item = this.#items[i]!;
      if (item.fifoSeq === this.#seqs[i]) item.fifoSeq = -1;
    }
    this.#items = [];
    this.#deadlines = [];
    this.#seqs = [];
    this.#head = 0;
    this.#tail = 0;
    this.#size = 0;
    this.#stale = 0;
  }

  /** The index of `item`'s live entry, or -1: entries' numbers increase from head to tail. */
  #indexOf(item: T): number {
    const seq = item.fifoSeq;
    if (seq < 0 || this.#head === this.#tail) return -1;
    const last = this.#tail - 1;
    if (this.#seqs[last] === seq) return this.#items[last] === item ? last : -1;
    // Numbers relative to the head's, so that the wrap at SEQ_MASK does not break the order.
    const base = this.#seqs[this.#head]!;
    const want = (seq - base) & SEQ_MASK;
    let lo = this.#head;
    let hi = last;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (((this.#seqs[mid]! - base) & SEQ_MASK) < want) lo = mid + 1;
      else hi = mid;
    }
    return this.#seqs[lo] === seq && this.#items[lo] === item ? lo : -1;
  }

  /** Keeps only the live entries, in order. */
  #compact(): void {
    let n = 0;
    for (let i = this.#head; i < this.#tail; i++) {
      const item = this.#items[i]!;
      if (item.fifoSeq !== this.#seqs[i]) continue;
      this.#items[n] = item;
      this.#deadlines[n] = this.#deadlines[i]!;
      this.#seqs[n++] = this.#seqs[i]!;
    }
    this.#items.fill(undefined, n, this.#tail);
    this.#head = 0;
    this.#tail = n;
    this.#stale = 0;
  }

  #skipStale(): void {
    while (this.#head < this.#tail && this.#items[this.#head]!.fifoSeq !== this.#seqs[this.#head]) {
      this.#stale--;
      this.#drop();
    }
  }

  /** Drops the head entry; compacts when the dead prefix is most of the arrays. */
  #drop(): void {
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#tail) {
      this.#head = 0;
      this.#tail = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#tail) {
      const n = this.#tail - this.#head;
      this.#items.copyWithin(0, this.#head, this.#tail);
      this.#deadlines.copyWithin(0, this.#head, this.#tail);
      this.#seqs.copyWithin(0, this.#head, this.#tail);
      this.#items.fill(undefined, n, this.#tail);
      this.#head = 0;
      this.#tail = n;
    }
  }
}
