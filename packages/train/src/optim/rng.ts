/**
 * A seedable PRNG whose whole state is one uint32 (mulberry32), so checkpoints can
 * save it and a resumed run draws the same numbers. Used for data order and dropout
 * seeds; never Math.random.
 */
export class Rng {
  constructor(public state: number) {
    this.state = state >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** A Fisher–Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const order = new Int32Array(n);
    for (let index = 0; index < n; index++) order[index] = index;
    for (let index = n - 1; index > 0; index--) {
      const other = this.int(index + 1);
      const swap = order[index];
      order[index] = order[other];
      order[other] = swap;
    }
    return order;
  }
}
