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

/** Multiplier of the rolling window hash (odd, so each power is invertible mod 2^32). */
const rollingBase = 0x9e3779b1;

/**
 * Hashes of every window of `n` consecutive values: `out[i]` = fmix32 of the
 * polynomial `seed + Σ_k values[i+k]·B^(n-1-k)` (mod 2^32), updated in O(1) per window
 * (drop the oldest term, shift, add the newest) instead of O(n). Returns the window
 * count, `count - n + 1` (0 when count < n). `out` needs room for that many.
 */
export function windowHashes(values: Uint32Array, count: number, n: number, seed: number, out: Uint32Array): number {
  const windows = count - n + 1;
  if (windows <= 0) return 0;
  let top = 1; // B^(n-1), the weight of the oldest value in the window
  for (let step = 1; step < n; step++) top = Math.imul(top, rollingBase);
  let hash = 0;
  for (let index = 0; index < n; index++) hash = (Math.imul(hash, rollingBase) + values[index]) | 0;
  out[0] = fmix32(hash + seed);
  for (let index = 1; index < windows; index++) {
    hash = (Math.imul(hash - Math.imul(values[index - 1], top), rollingBase) + values[index + n - 1]) | 0;
    out[index] = fmix32(hash + seed);
  }
  return windows;
}
