/**
 * Memory for the first, small block of a send or receive buffer (see grownRingSize). A
 * Uint8Array of more than 64 bytes gets an ArrayBuffer of its own outside V8's heap: a backing
 * store, external-memory accounting and a finalizer the garbage collector must run, which cost a
 * connection that sends or receives one small message more than the bytes themselves (four such
 * buffers per request/echo connection). Small blocks are therefore carved from a shared slab
 * (wire/slab.ts, as ip-packet.ts does for packets): each block is zero-filled and belongs to its
 * buffer exactly as an array of its own would.
 */
import { slabAllocator } from '../wire/slab.js';

/** Blocks up to this size come from the slab (the buffers' first size: MIN_RING in send-buffer.ts). */
const SLAB_MAX_BLOCK = 256;
const SLAB_SIZE = 16 * 1024;

/** A zero-filled block of `size` bytes, owned by the caller. */
export const newBlock: (size: number) => Uint8Array = slabAllocator(SLAB_SIZE, SLAB_MAX_BLOCK);
