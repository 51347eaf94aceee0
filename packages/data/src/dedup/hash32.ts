/** 32-bit hashing primitives (Math.imul keeps everything in int32; `>>> 0` makes it unsigned). */

/** MurmurHash3's finaliser: a fast bijective mix of 32 bits. */
export function fmix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Combines a running hash with the next value (order-sensitive). */
export function combine32(hash: number, value: number): number {
  return fmix32(Math.imul(hash ^ value, 0x9e3779b1) + 0x7f4a7c15);
}
