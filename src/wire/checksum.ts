/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of the
 * data taken as big-endian 16-bit words. RFC 1071 §2(C) notes the carries can be deferred: we add
 * words into a plain JS number (exact up to 2^53, i.e. ~2^37 words, far above any packet) and fold
 * once at the end, which costs one add per word and no branch per word.
 *
 * A "partial" sum is an unfolded or folded running sum (not complemented); `checksumFinish` folds
 * and complements it. Partial sums of even-length pieces can be added together in any order.
 */

/** Folds a running sum to 16 bits (end-around carry, RFC 1071 §1 "Adjust"). */
export function foldSum(sum: number): number {
  if (sum >= 0 && sum <= 0xffffffff) {
    // Every header's and short segment's sum: two folds in 32-bit integer operations (the
    // first leaves at most 0x1fffe, the second at most 0xffff), the same as the loop below.
    const t = (sum >>> 16) + (sum & 0xffff);
    return (t >>> 16) + (t & 0xffff);
  }
  // Two divisions suffice for any sum below 2^48; loop for safety on larger inputs.
  let s = sum;
  while (s > 0xffff) s = (s % 0x10000) + Math.floor(s / 0x10000);
  return s;
}

/**
 * Adds `data[start, end)` as big-endian 16-bit words to `initial` and returns the running sum, folded
 * to 16 bits. An odd trailing byte is padded with a zero byte (RFC 1071 §4.1). Only the LAST piece
 * of a multi-piece sum may have odd length.
 *
 * Long inputs go word-at-a-time: 32-bit loads through a Uint32Array over the 4-byte-aligned middle
 * (sumWords). On a little-endian host those loads see byte-swapped 16-bit words, and RFC 1071
 * §2(B) ("byte order independence") says the sum of swapped words is the swapped sum: so the words
 * are summed as they come and the folded result is swapped once at the end. Short inputs (headers)
 * use the byte loop, where creating the view would cost more than it saves.
 */
export function checksumPartial(
  data: Uint8Array,
  initial = 0,
  start = 0,
  end: number = data.length,
): number {
  if (!LITTLE_ENDIAN || end - start < WORDS_MIN) return checksumBytes(data, initial, start, end);
  let sum = 0;
  let i = start;
  const evenEnd = end - ((end - start) & 1);
  // Byte-swapped 16-bit words up to a 4-byte boundary of the underlying buffer.
  while (((data.byteOffset + i) & 3) !== 0 && i + 1 < evenEnd) {
    sum += (data[i] as number) | ((data[i + 1] as number) << 8);
    i += 2;
  }
  const words = (evenEnd - i) >>> 2;
  if (((data.byteOffset + i) & 3) === 0 && words > 0) {
    const from = (data.byteOffset + i) >>> 2;
    sum += sumWords(wordsOf(data.buffer, from + words), from, words);
    i += words * 4;
  }
  for (; i < evenEnd; i += 2) sum += (data[i] as number) | ((data[i + 1] as number) << 8);
  if (evenEnd < end) sum += data[evenEnd] as number;
  const swapped = foldSum(sum);
  return foldSum(initial + (((swapped & 0xff) << 8) | (swapped >>> 8)));
}

/**
 * The sum of 32-bit words, folded to 16 bits. RFC 1071 §2(C): on a machine with wider words the
 * carries are deferred into the high bits, and the wider sum folds to the same 16-bit one's
 * complement sum (2^32 ≡ 2^16 ≡ 1 mod 0xffff). The words go unsplit into doubles (exact below 2^53)
 * 16 per step as a balanced tree of adds, which V8 runs ~1.6× faster than splitting each word into
 * its 16-bit halves; a pass of at most PASS_WORDS words keeps each accumulator below 2^53.
 */
function sumWords(u32: Uint32Array, from: number, count: number): number {
  const words = from + count;
  let sum = 0;
  let k = from;
  while (k < words) {
    const stop = Math.min(words, k + PASS_WORDS);
    const stop16 = stop - ((stop - k) & 15);
    let a = 0;
    let b = 0;
    for (; k < stop16; k += 16) {
      a +=
        (u32[k] as number) +
        (u32[k + 1] as number) +
        ((u32[k + 2] as number) + (u32[k + 3] as number)) +
        ((u32[k + 4] as number) +
          (u32[k + 5] as number) +
          ((u32[k + 6] as number) + (u32[k + 7] as number)));
      b +=
        (u32[k + 8] as number) +
        (u32[k + 9] as number) +
        ((u32[k + 10] as number) + (u32[k + 11] as number)) +
        ((u32[k + 12] as number) +
          (u32[k + 13] as number) +
          ((u32[k + 14] as number) + (u32[k + 15] as number)));
    }
    for (; k < stop; k++) a += u32[k] as number;
    sum = foldSum(sum + a + b);
  }
  return sum;
}

/**
 * A Uint32Array over the whole of `buffer`, the last one kept: packets carved from one slab, and
 * the two checksums of one packet, share it instead of making a view each time.
 */
function wordsOf(buffer: ArrayBufferLike, endWord: number): Uint32Array {
  // (A resizable buffer may have grown since its view was made.)
  if (buffer !== wordsBuffer || endWord > wordsView.length) {
    wordsView = new Uint32Array(buffer, 0, buffer.byteLength >>> 2);
    wordsBuffer = buffer;
  }
  return wordsView;
}
let wordsBuffer: ArrayBufferLike | undefined;
let wordsView: Uint32Array = new Uint32Array(0);

/** 2^20 words a pass: each accumulator gains < 2^35 per step of 16, so stays below 2^51. */
const PASS_WORDS = 1 << 20;

/** Below this many bytes the byte loop wins (measured with 20-byte headers and 1460-byte payloads). */
const WORDS_MIN = 128;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The byte-at-a-time sum (any alignment, any host byte order). */
function checksumBytes(data: Uint8Array, initial: number, start: number, end: number): number {
  let sum = initial;
  let i = start;
  const evenEnd = end - ((end - start) & 1);
  // Unrolled by 4 words: ~1.5-2x faster than one word per iteration in V8.
  const end8 = evenEnd - ((evenEnd - i) & 7);
  for (; i < end8; i += 8) {
    sum +=
      (((data[i] as number) << 8) | (data[i + 1] as number)) +
      (((data[i + 2] as number) << 8) | (data[i + 3] as number)) +
      (((data[i + 4] as number) << 8) | (data[i + 5] as number)) +
      (((data[i + 6] as number) << 8) | (data[i + 7] as number));
  }
  for (; i < evenEnd; i += 2) sum += ((data[i] as number) << 8) | (data[i + 1] as number);
  if (evenEnd < end) sum += (data[evenEnd] as number) << 8;
  return foldSum(sum);
}

/** Folds and complements a running sum into the 16-bit checksum field value. */
export function checksumFinish(sum: number): number {
  return ~foldSum(sum) & 0xffff;
}

/** One-shot checksum of `data` (optionally starting from a pseudo-header sum). */
export function internetChecksum(data: Uint8Array, initial = 0): number {
  return checksumFinish(checksumPartial(data, initial));
}

/**
 * Sum of the IPv4 pseudo-header (RFC 9293 §3.1): source, destination, zero, protocol, TCP length.
 */
export function pseudoHeaderSumV4(
  src: Uint8Array,
  dst: Uint8Array,
  protocol: number,
  length: number,
  srcAt = 0,
  dstAt = 0,
): number {
  // Four words, added straight (no loop): this runs for every TCP packet built or verified.
  return foldSum(
    (((src[srcAt] as number) << 8) | (src[srcAt + 1] as number)) +
      (((src[srcAt + 2] as number) << 8) | (src[srcAt + 3] as number)) +
      (((dst[dstAt] as number) << 8) | (dst[dstAt + 1] as number)) +
      (((dst[dstAt + 2] as number) << 8) | (dst[dstAt + 3] as number)) +
      protocol +
      length,
  );
}

/**
 * Sum of the IPv6 pseudo-header (RFC 8200 §8.1): source, destination, 32-bit upper-layer length,
 * three zero bytes, next header.
 */
export function pseudoHeaderSumV6(
  src: Uint8Array,
  dst: Uint8Array,
  nextHeader: number,
  length: number,
): number {
  let s = checksumPartial(src, 0, 0, 16);
  s = checksumPartial(dst, s, 0, 16);
  return foldSum(s + (length >>> 16) + (length & 0xffff) + nextHeader);
}

/** Pseudo-header sum chosen by address length (4 → IPv4, 16 → IPv6). */
export function pseudoHeaderSum(
  src: Uint8Array,
  dst: Uint8Array,
  protocol: number,
  length: number,
): number {
  return src.length === 16
    ? pseudoHeaderSumV6(src, dst, protocol, length)
    : pseudoHeaderSumV4(src, dst, protocol, length);
}
