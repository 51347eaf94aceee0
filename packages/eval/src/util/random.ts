/**
 * Sampling helpers over core's seeded PRNG (`mulberry32` from @chainlm/core): `mixSeed`
 * derives independent per-item seeds so an item's draw does not depend on which
 * shard or order it is processed in.
 */

/** A 32-bit hash of (seed, index): splitmix-style avalanche. */
export function mixSeed(seed: number, index: number): number {
  let value = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  value = Math.imul(value ^ (value >>> 16), 0x7feb352d) >>> 0;
  value = Math.imul(value ^ (value >>> 15), 0x846ca68b) >>> 0;
  return (value ^ (value >>> 16)) >>> 0;
}

/**
 * `k` distinct indices from [0, n) without replacement, in draw order. Floyd's
 * algorithm: O(k) time and memory, so sampling a few examples from a large train
 * split per test item does not allocate the whole range each time.
 */
export function sampleIndices(n: number, k: number, random: () => number): number[] {
  const take = Math.min(k, n);
  const chosen = new Set<number>();
  for (let j = n - take; j < n; j++) {
    const candidate = Math.floor(random() * (j + 1));
    chosen.add(chosen.has(candidate) ? j : candidate);
  }
  return [...chosen];
}
