/**
 * LSH over MinHash signatures: `bands` bands of `rows = numPerm / bands` values each.
 * Two signatures that agree on all rows of any band share a bucket and become
 * candidates; a candidate is a duplicate when its estimated Jaccard ≥ threshold.
 * P(candidate) = 1 - (1 - J^rows)^bands: (numPerm 128, bands 16, rows 8) finds pairs
 * at J = 0.8 with p ≈ 0.95; (32 bands, 4 rows) at J = 0.7 with p ≈ 0.9998.
 *
 * Signatures live in one growing Uint32Array [documents × numPerm]; each band is a
 * Map from a 32-bit band hash to the documents in that bucket.
 */
import { combine32 } from './hash32.js';
import { signatureSimilarity } from './minhash.js';

export interface LshMatch {
  /** Index (insertion order) of the earlier document matched, or -1. */
  match: number;
  similarity: number;
}

export class LshIndex {
  readonly rows: number;
  private signatures: Uint32Array;
  private count = 0;
  private readonly buckets: Map<number, number | number[]>[];
  private readonly keys: Uint32Array;

  constructor(
    readonly numPerm: number,
    readonly bands: number,
  ) {
    if (numPerm % bands !== 0) throw new RangeError(`numPerm ${numPerm} must be a multiple of bands ${bands}`);
    this.rows = numPerm / bands;
    this.signatures = new Uint32Array(numPerm * 1024);
    this.buckets = Array.from({ length: bands }, () => new Map());
    this.keys = new Uint32Array(bands);
  }

  get size(): number {
    return this.count;
  }

  /**
   * Looks for an indexed document with estimated Jaccard ≥ threshold. When none is
   * found the signature is inserted (it is a new, kept document).
   */
  findOrInsert(signature: Uint32Array, threshold: number): LshMatch {
    let best: LshMatch = { match: -1, similarity: 0 };
    for (let band = 0; band < this.bands; band++) {
      let key = band;
      const start = band * this.rows;
      for (let row = 0; row < this.rows; row++) key = combine32(key, signature[start + row]);
      // 30 bits keep Map keys small integers (Smis); larger keys are boxed doubles, ~10×
      // slower to hash. Two bits fewer only adds rare candidates, which are verified.
      key &= 0x3fffffff;
      this.keys[band] = key;
      const bucket = this.buckets[band].get(key);
      if (bucket === undefined) continue;
      for (const candidate of typeof bucket === 'number' ? [bucket] : bucket) {
        const similarity = signatureSimilarity(signature, 0, this.signatures, candidate * this.numPerm, this.numPerm);
        if (similarity >= threshold && similarity > best.similarity) best = { match: candidate, similarity };
      }
      if (best.match >= 0) return best;
    }
    this.insert(signature);
    return best;
  }

  private insert(signature: Uint32Array): void {
    const id = this.count++;
    if (this.count * this.numPerm > this.signatures.length) {
      const grown = new Uint32Array(this.signatures.length * 2);
      grown.set(this.signatures);
      this.signatures = grown;
    }
    this.signatures.set(signature, id * this.numPerm);
    for (let band = 0; band < this.bands; band++) {
      const map = this.buckets[band];
      const key = this.keys[band];
      const bucket = map.get(key);
      if (bucket === undefined) map.set(key, id);
      else if (typeof bucket === 'number') map.set(key, [bucket, id]);
      else bucket.push(id);
    }
  }
}

/**
 * Bands for a threshold (datasketch's rule, reweighted): among the divisors of numPerm,
 * the band count minimising weighted false-positive + false-negative probability mass,
 * where P(candidate | J = s) = 1 - (1 - s^rows)^bands, integrated over [0, t] and
 * [t, 1]. Candidates are verified against the threshold, so a false candidate costs
 * only time while a missed one is a kept duplicate: misses weigh 19× more (0.95).
 */
export function optimalBands(numPerm: number, threshold: number, falseNegativeWeight = 0.95): number {
  const probability = (s: number, bands: number, rows: number) => 1 - (1 - s ** rows) ** bands;
  const integrate = (from: number, to: number, f: (s: number) => number) => {
    const steps = 200;
    const width = (to - from) / steps;
    let total = 0;
    for (let step = 0; step < steps; step++) total += f(from + (step + 0.5) * width) * width;
    return total;
  };
  let best = 1;
  let bestError = Infinity;
  for (let bands = 1; bands <= numPerm; bands++) {
    if (numPerm % bands !== 0) continue;
    const rows = numPerm / bands;
    const falsePositive = integrate(0, threshold, (s) => probability(s, bands, rows));
    const falseNegative = integrate(threshold, 1, (s) => 1 - probability(s, bands, rows));
    const error = (1 - falseNegativeWeight) * falsePositive + falseNegativeWeight * falseNegative;
    if (error < bestError) {
      bestError = error;
      best = bands;
    }
  }
  return best;
}
