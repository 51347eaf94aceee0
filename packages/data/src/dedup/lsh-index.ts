/**
 * LSH over MinHash signatures: `bands` bands of `rows = numPerm / bands` values each.
 * Two signatures that agree on all rows of any band share a bucket and become
 * candidates; a candidate is a duplicate when its estimated Jaccard ≥ threshold.
 * P(candidate) = 1 - (1 - J^rows)^bands: (numPerm 128, bands 16, rows 8) finds pairs
 * at J = 0.8 with p ≈ 0.95; (32 bands, 4 rows) at J = 0.7 with p ≈ 0.9998.
 *
 * Signatures live in one growing Uint32Array [documents × numPerm]. Each band's buckets
 * are an open-addressing table in one Int32Array of (band hash, first document) pairs,
 * and a bucket's documents chain through `chain` [documents × bands] in insertion
 * order. Design note: this is memory-latency bound (16 bands × 100k documents);
 * Maps cost ~8 µs per document at 100k documents, one pair per slot ~2 µs.
 */
import { combine32 } from './hash32.js';
import { signatureSimilarity } from './minhash.js';

export interface LshMatch {
  /** Index (insertion order) of the earlier document matched, or -1. */
  match: number;
  similarity: number;
}

const none = -1;

export class LshIndex {
  readonly rows: number;
  private signatures: Uint32Array;
  private count = 0;
  /** Per band: [slots × 2] = (band hash | 0, first document of the bucket or -1 when empty). */
  private tables: Int32Array[];
  /** Slots a band hash was found in (or would go to) during the last lookup. */
  private readonly slots: Int32Array;
  private readonly keys: Int32Array;
  /** [documents × bands]: the next document in the same bucket, or -1. */
  private chain: Int32Array;

  constructor(
    readonly numPerm: number,
    readonly bands: number,
  ) {
    if (numPerm % bands !== 0) throw new RangeError(`numPerm ${numPerm} must be a multiple of bands ${bands}`);
    this.rows = numPerm / bands;
    this.signatures = new Uint32Array(numPerm * 1024);
    this.chain = new Int32Array(bands * 1024);
    this.keys = new Int32Array(bands);
    this.slots = new Int32Array(bands);
    this.tables = emptyTables(bands, 2048);
  }

  get size(): number {
    return this.count;
  }

  /**
   * Looks for an indexed document with estimated Jaccard ≥ threshold. When none is
   * found the signature is inserted (it is a new, kept document).
   */
  findOrInsert(signature: Uint32Array, threshold: number): LshMatch {
    let best: LshMatch = { match: none, similarity: 0 };
    const mask = (this.tables[0].length >> 1) - 1;
    for (let band = 0; band < this.bands; band++) {
      let key = band;
      const start = band * this.rows;
      for (let row = 0; row < this.rows; row++) key = combine32(key, signature[start + row]);
      key |= 0;
      this.keys[band] = key;
      const table = this.tables[band];
      let slot = key & mask;
      while (table[slot * 2 + 1] !== none && table[slot * 2] !== key) slot = (slot + 1) & mask;
      this.slots[band] = slot;
      for (let candidate = table[slot * 2 + 1]; candidate !== none; candidate = this.chain[candidate * this.bands + band]) {
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
      this.signatures = grown(this.signatures, this.signatures.length * 2) as Uint32Array;
      this.chain = grown(this.chain, this.chain.length * 2) as Int32Array;
    }
    this.signatures.set(signature, id * this.numPerm);
    for (let band = 0; band < this.bands; band++) {
      const table = this.tables[band];
      const slot = this.slots[band];
      this.chain[id * this.bands + band] = none;
      let last = table[slot * 2 + 1];
      if (last === none) {
        table[slot * 2] = this.keys[band];
        table[slot * 2 + 1] = id;
        continue;
      }
      // Buckets are short (a few documents): walk to the end to keep insertion order.
      while (this.chain[last * this.bands + band] !== none) last = this.chain[last * this.bands + band];
      this.chain[last * this.bands + band] = id;
    }
    // Keep tables at most half full (each document adds at most one slot per band).
    if (this.count * 4 > this.tables[0].length) this.rehash(this.tables[0].length);
  }

  /** Doubles every band's table (slots = `size` pairs). */
  private rehash(size: number): void {
    const old = this.tables;
    this.tables = emptyTables(this.bands, size);
    const mask = size - 1;
    for (let band = 0; band < this.bands; band++) {
      const [from, to] = [old[band], this.tables[band]];
      for (let slot = 0; slot < from.length >> 1; slot++) {
        if (from[slot * 2 + 1] === none) continue;
        let target = from[slot * 2] & mask;
        while (to[target * 2 + 1] !== none) target = (target + 1) & mask;
        to[target * 2] = from[slot * 2];
        to[target * 2 + 1] = from[slot * 2 + 1];
      }
    }
  }
}

/** Per band, `slots` empty (key, first) pairs. */
function emptyTables(bands: number, slots: number): Int32Array[] {
  return Array.from({ length: bands }, () => new Int32Array(slots * 2).fill(none));
}

function grown(array: Uint32Array | Int32Array, length: number): Uint32Array | Int32Array {
  const out = new (array.constructor as new (length: number) => Uint32Array | Int32Array)(length);
  out.set(array);
  return out;
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
