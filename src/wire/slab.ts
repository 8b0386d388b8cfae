/**
 * A slab allocator for small zero-filled arrays. An ArrayBuffer of its own costs a small array more
 * than its bytes (a backing store outside V8's heap, external-memory accounting, a finalizer the
 * garbage collector must run), so pieces up to `maxPiece` bytes are carved from a shared slab of
 * `slabSize` bytes instead. A slab is only ever handed out forwards, never reused: each piece is a
 * region no one else is handed, zero-filled, and belongs to whoever holds it exactly as an array
 * of its own would; the slab is freed when its last piece is. Larger pieces get their own buffer.
 * Each piece starts 8-byte aligned in its slab (the checksum's word loads then start at its first
 * byte). Pieces are views: use byteOffset and length, not `.buffer` alone.
 */
export function slabAllocator(slabSize: number, maxPiece: number): (n: number) => Uint8Array {
  let slab = new ArrayBuffer(0);
  let used = 0;
  return (n: number): Uint8Array => {
    if (n > maxPiece) return new Uint8Array(n);
    if (used + n > slab.byteLength) {
      slab = new ArrayBuffer(slabSize);
      used = 0;
    }
    // A view made by the constructor, not a Uint8Array's subarray(): subarray looks up the
    // species constructor (ES2024 §23.2.3.30 TypedArraySpeciesCreate) for every piece, which cost
    // a third of the allocator's time.
    const p = new Uint8Array(slab, used, n);
    used += (n + 7) & ~7;
    return p;
  };
}
