/**
 * TCP sequence numbers: 32-bit unsigned values compared and added modulo 2^32
 * (RFC 9293 §3.4, "Sequence Numbers": "all arithmetic dealing with sequence numbers must be
 * performed modulo 2**32"). Every sequence-number computation in synack goes through these
 * helpers; the brand stops a plain `a + 1` from being stored as a SeqNum by accident.
 */
export type SeqNum = number & { readonly __seqnum: unique symbol };

/** Wraps any integer (negative or >= 2^32 included) into a SeqNum. */
export function seq(n: number): SeqNum {
  return (n >>> 0) as SeqNum;
}

/** a + n (n may be negative), modulo 2^32. */
export function seqAdd(a: SeqNum, n: number): SeqNum {
  return ((a + n) >>> 0) as SeqNum;
}

/**
 * The signed distance b → a, i.e. a − b interpreted in [−2^31, 2^31). Positive when a is "after" b.
 * This is the comparison RFC 9293 §3.4 relies on (valid while the two are within 2^31 of each other).
 */
export function seqDiff(a: SeqNum, b: SeqNum): number {
  return (a - b) | 0;
}

export function seqLt(a: SeqNum, b: SeqNum): boolean {
  return seqDiff(a, b) < 0;
}
export function seqLe(a: SeqNum, b: SeqNum): boolean {
  return seqDiff(a, b) <= 0;
}
export function seqGt(a: SeqNum, b: SeqNum): boolean {
  return seqDiff(a, b) > 0;
}
export function seqGe(a: SeqNum, b: SeqNum): boolean {
  return seqDiff(a, b) >= 0;
}
export function seqMax(a: SeqNum, b: SeqNum): SeqNum {
  return seqGe(a, b) ? a : b;
}
export function seqMin(a: SeqNum, b: SeqNum): SeqNum {
  return seqLe(a, b) ? a : b;
}

/** start <= x < start + len, modulo 2^32 (an empty window contains nothing). */
export function seqInWindow(x: SeqNum, start: SeqNum, len: number): boolean {
  const d = (x - start) >>> 0;
  return d < len;
}

/** start <= x <= end, modulo 2^32. */
export function seqBetween(start: SeqNum, x: SeqNum, end: SeqNum): boolean {
  return (x - start) >>> 0 <= (end - start) >>> 0;
}

/**
 * A sequence number as stored in a long-lived object: the same 32 bits read as a signed integer.
 * V8 (64-bit, without pointer compression, as in Node) keeps any signed 32-bit integer unboxed
 * in an object's field (a "Smi"), while a SeqNum at or above 2^31 — half of them — would be a
 * separately allocated 16-byte heap number each time it is stored. seqFromSlot gives the SeqNum
 * back unchanged: seqFromSlot(seqToSlot(s)) === s for every SeqNum.
 */
export type SeqSlot = number & { readonly __seqslot: unique symbol };

export function seqToSlot(s: SeqNum): SeqSlot {
  return (s | 0) as SeqSlot;
}

export function seqFromSlot(n: SeqSlot): SeqNum {
  return (n >>> 0) as SeqNum;
}
