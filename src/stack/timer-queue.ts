/**
 * An indexed binary min-heap of (deadline, item): O(log n) insert, update and removal, O(1) peek.
 * The stack keeps ONE clock timer at the heap's minimum instead of a host timer per connection, so a
 * million connections cost a million heap slots, not a million host timers. Ties are broken by
 * insertion order so that runs are deterministic.
 *
 * Items carry their own heap position (`heapSlot`), so no side table is needed: an item belongs to
 * at most one TimerQueue at a time.
 */
export interface TimerQueueItem {
  /** Position in the queue's heap; -1 (or undefined) when not queued. Owned by TimerQueue. */
  heapSlot: number;
}

export class TimerQueue<T extends TimerQueueItem> {
  private readonly items: T[] = [];
  private readonly deadlines: number[] = [];
  private readonly orders: number[] = [];
  private counter = 0;

  get size(): number {
    return this.items.length;
  }

  has(item: T): boolean {
    const i = item.heapSlot;
    return i >= 0 && this.items[i] === item;
  }

  deadlineOf(item: T): number | undefined {
    return this.has(item) ? this.deadlines[item.heapSlot] : undefined;
  }

  /** The earliest deadline, or undefined when empty. */
  peekDeadline(): number | undefined {
    return this.items.length > 0 ? this.deadlines[0] : undefined;
  }

  /** The earliest deadline, Infinity when empty (a plain number: no heap number per call). */
  nextAt(): number {
    return this.items.length > 0 ? this.deadlines[0]! : Infinity;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Inserts `item` or moves it to a new deadline. */
  set(item: T, deadline: number): void {
    if (!this.has(item)) {
      const n = this.items.length;
      this.items.push(item);
      this.deadlines.push(deadline);
      this.orders.push(this.counter++);
      item.heapSlot = n;
      this.up(n);
      return;
    }
    const i = item.heapSlot;
    const old = this.deadlines[i]!;
    if (old === deadline) return;
    this.deadlines[i] = deadline;
    this.orders[i] = this.counter++;
    if (deadline < old) this.up(i);
    else this.down(i);
  }

  delete(item: T): boolean {
    if (!this.has(item)) return false;
    const i = item.heapSlot;
    const last = this.items.length - 1;
    if (i !== last) this.swap(i, last);
    this.items.pop();
    this.deadlines.pop();
    this.orders.pop();
    item.heapSlot = -1;
    if (i !== last) {
      this.down(i);
      this.up(i);
    }
    return true;
  }

  /** Removes and returns the earliest item if its deadline is <= now. */
  popDue(now: number): T | undefined {
    if (this.items.length === 0 || this.deadlines[0]! > now) return undefined;
    const item = this.items[0]!;
    this.delete(item);
    return item;
  }

  clear(): void {
    for (const it of this.items) it.heapSlot = -1;
    this.items.length = 0;
    this.deadlines.length = 0;
    this.orders.length = 0;
  }

  private less(a: number, b: number): boolean {
    const da = this.deadlines[a]!;
    const db = this.deadlines[b]!;
    return da < db || (da === db && this.orders[a]! < this.orders[b]!);
  }

  private swap(a: number, b: number): void {
    const it = this.items;
    const dl = this.deadlines;
    const or = this.orders;
    const ia = it[a]!;
    const ib = it[b]!;
    it[a] = ib;
    it[b] = ia;
    ib.heapSlot = a;
    ia.heapSlot = b;
    const d = dl[a]!;
    dl[a] = dl[b]!;
    dl[b] = d;
    const o = or[a]!;
    or[a] = or[b]!;
    or[b] = o;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
}
