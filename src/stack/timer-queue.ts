/**
 * An indexed binary min-heap of (deadline, item): O(log n) insert, update and removal, O(1) peek.
 * The stack keeps ONE clock timer at the heap's minimum instead of a host timer per connection, so a
 * million connections cost a million heap slots, not a million host timers. Ties are broken by
 * insertion order so that runs are deterministic.
 */
export class TimerQueue<T> {
  private readonly items: T[] = [];
  private readonly deadlines: number[] = [];
  private readonly orders: number[] = [];
  private readonly index = new Map<T, number>();
  private counter = 0;

  get size(): number {
    return this.items.length;
  }

  has(item: T): boolean {
    return this.index.has(item);
  }

  deadlineOf(item: T): number | undefined {
    const i = this.index.get(item);
    return i === undefined ? undefined : this.deadlines[i];
  }

  /** The earliest deadline, or undefined when empty. */
  peekDeadline(): number | undefined {
    return this.items.length > 0 ? this.deadlines[0] : undefined;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  /** Inserts `item` or moves it to a new deadline. */
  set(item: T, deadline: number): void {
    const i = this.index.get(item);
    if (i === undefined) {
      const n = this.items.length;
      this.items.push(item);
      this.deadlines.push(deadline);
      this.orders.push(this.counter++);
      this.index.set(item, n);
      this.up(n);
      return;
    }
    const old = this.deadlines[i];
    if (old === deadline) return;
    this.deadlines[i] = deadline;
    this.orders[i] = this.counter++;
    if (deadline < old) this.up(i);
    else this.down(i);
  }

  delete(item: T): boolean {
    const i = this.index.get(item);
    if (i === undefined) return false;
    const last = this.items.length - 1;
    if (i !== last) this.swap(i, last);
    this.items.pop();
    this.deadlines.pop();
    this.orders.pop();
    this.index.delete(item);
    if (i !== last) {
      this.down(i);
      this.up(i);
    }
    return true;
  }

  /** Removes and returns the earliest item if its deadline is <= now. */
  popDue(now: number): T | undefined {
    if (this.items.length === 0 || this.deadlines[0] > now) return undefined;
    const item = this.items[0];
    this.delete(item);
    return item;
  }

  clear(): void {
    this.items.length = 0;
    this.deadlines.length = 0;
    this.orders.length = 0;
    this.index.clear();
  }

  private less(a: number, b: number): boolean {
    const da = this.deadlines[a];
    const db = this.deadlines[b];
    return da < db || (da === db && this.orders[a] < this.orders[b]);
  }

  private swap(a: number, b: number): void {
    const it = this.items;
    const dl = this.deadlines;
    const or = this.orders;
    [it[a], it[b]] = [it[b], it[a]];
    [dl[a], dl[b]] = [dl[b], dl[a]];
    [or[a], or[b]] = [or[b], or[a]];
    this.index.set(it[a], a);
    this.index.set(it[b], b);
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
