/**
 * Memory for the first, small block of a send or receive buffer (see grownRingSize). A
 * Uint8Array of more than 64 bytes gets an ArrayBuffer of its own outside V8's heap: a backing
 * store, external-memory accounting and a finalizer the garbage collector must run, which cost a
 * connection that sends or receives one small message more than the bytes themselves (four such
 * buffers per request/echo connection). Small blocks are therefore carved from a shared slab, as
 * ip-packet.ts does for packets: each block is a region no one else is handed, never reused, so
 * it is zero-filled and belongs to its buffer exactly as an array of its own would; the slab is
 * freed when its last block is.
 */

/** Blocks up to this size come from the slab (the buffers' first size: MIN_RING in send-buffer.ts). */
export const SLAB_MAX_BLOCK = 256;
const SLAB_SIZE = 16 * 1024;

let slab = new Uint8Array(0);
let slabUsed = 0;

/** A zero-filled block of `size` bytes, owned by the caller. */
export function newBlock(size: number): Uint8Array {
  if (size > SLAB_MAX_BLOCK) return new Uint8Array(size);
  if (slabUsed + size > slab.length) {
    slab = new Uint8Array(SLAB_SIZE);
    slabUsed = 0;
  }
  const b = slab.subarray(slabUsed, slabUsed + size);
  // 8-byte aligned starts, as for packets.
  slabUsed += (size + 7) & ~7;
  return b;
}
