/**
 * The repo's one seeded PRNG (mulberry32). Data generators, samplers, benchmarks and
 * training must draw the same numbers for the same seed on every machine and Node
 * version, which Math.random cannot. The whole state is one uint32 (`state`), so a
 * checkpoint saves it and `new SeededRandom(saved)` continues the same stream
 * bit-exactly. Period 2^32; not cryptographic.
 */
export class SeededRandom {
  /** The whole generator state (uint32): save it and pass it to the constructor to resume. */
  state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of randomness. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** A Fisher–Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const order = new Int32Array(n);
    for (let index = 0; index < n; index++) order[index] = index;
    for (let index = n - 1; index > 0; index--) {
      const other = this.below(index + 1);
      const swap = order[index];
      order[index] = order[other];
      order[other] = swap;
    }
    return order;
  }
}

/** A SeededRandom's `next` as a bare function, for code that takes a `() => number`. */
export function mulberry32(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}
