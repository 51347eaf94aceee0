/**
 * MinHash signatures by one-permutation hashing (OPH) with rotation densification
 * (Li, Owen & Zhang 2012; Shrivastava & Li 2014).
 *
 * Design note — speed. Classic MinHash hashes every shingle numPerm times
 * (O(shingles × numPerm)); OPH hashes each shingle once, sends it to one of numPerm
 * bins by its high bits and keeps the minimum per bin (O(shingles)). Empty bins (short
 * texts) borrow the value of the next filled bin to the right plus an offset per step,
 * which keeps P[sigA[i] = sigB[i]] ≈ Jaccard(A, B). All arithmetic is 32-bit on typed
 * arrays; buffers are allocated once per hasher and reused. A shingle's hash is a
 * rolling polynomial over its word hashes (windowHashes), O(1) per shingle.
 *
 * Shingles are n consecutive words; a word is a run of letters/digits (ASCII lowercased)
 * and every CJK character is a word of its own, so Chinese and English both work.
 */
import { fmix32, windowHashes } from './hash32.js';
import { isCjk } from '../clean/script-counts.js';

export interface MinHashOptions {
  /** Signature length (number of OPH bins). */
  numPerm: number;
  /** Words per shingle. */
  shingle: number;
  seed?: number;
}

const empty = 0xffffffff;

export class MinHasher {
  readonly numPerm: number;
  readonly shingle: number;
  private readonly seed: number;
  private words = new Uint32Array(4096);
  /** Shingle hashes, one per window of `shingle` words. */
  private hashes = new Uint32Array(4096);
  private readonly filled: Uint8Array;

  constructor(options: MinHashOptions) {
    this.numPerm = options.numPerm;
    this.shingle = options.shingle;
    this.seed = options.seed ?? 0x2545f491;
    this.filled = new Uint8Array(options.numPerm);
  }

  /** Fills `out` ([numPerm]) with the signature; returns the shingle count (0: empty text). */
  signature(text: string, out: Uint32Array): number {
    const count = this.tokenize(text);
    out.fill(empty);
    this.filled.fill(0);
    if (count === 0) return 0;
    if (this.hashes.length < count) this.hashes = new Uint32Array(this.words.length);
    const shingles = windowHashes(this.words, count, Math.min(this.shingle, count), this.seed, this.hashes);
    const bins = this.numPerm;
    for (let start = 0; start < shingles; start++) {
      const hash = this.hashes[start];
      // High 16 bits choose the bin (exact integer math: bins ≤ 1024), the whole hash is the value kept per bin.
      const bin = ((hash >>> 16) * bins) >>> 16;
      if (hash < out[bin] || !this.filled[bin]) {
        out[bin] = hash;
        this.filled[bin] = 1;
      }
    }
    densify(out, this.filled);
    return shingles;
  }

  /** Word hashes of `text` into this.words; returns how many. */
  private tokenize(text: string): number {
    // A text has at most one word per character, so size once and write unchecked.
    if (this.words.length < text.length) this.words = new Uint32Array(Math.max(text.length, this.words.length * 2));
    const words = this.words;
    let count = 0;
    let word = 0;
    let inWord = false;
    for (let index = 0; index < text.length; index++) {
      const code = text.charCodeAt(index);
      if (code < 0x80) {
        const folded = asciiWordChars[code];
        if (folded !== 0) {
          word = Math.imul((inWord ? word : 0x811c9dc5) ^ folded, 0x01000193);
          inWord = true;
        } else if (inWord) {
          words[count++] = fmix32(word);
          inWord = false;
        }
        continue;
      }
      if (isCjk(code)) {
        if (inWord) words[count++] = fmix32(word);
        words[count++] = fmix32(fmix32(code + 0x1000000));
        inWord = false;
        continue;
      }
      const isWordChar = code > 0xbf && !(code >= 0x2000 && code <= 0x206f) && !(code >= 0x3000 && code <= 0x303f) && !(code >= 0xff00 && code <= 0xff20);
      if (isWordChar) {
        word = Math.imul((inWord ? word : 0x811c9dc5) ^ code, 0x01000193);
        inWord = true;
      } else if (inWord) {
        words[count++] = fmix32(word);
        inWord = false;
      }
    }
    if (inWord) words[count++] = fmix32(word);
    return count;
  }
}

/** ASCII letters and digits → their lowercase code; everything else → 0 (a separator). */
const asciiWordChars = new Uint8Array(128).map((_, code) => {
  if (code >= 0x30 && code <= 0x39) return code;
  if ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a) return code | 0x20;
  return 0;
});

/** Rotation densification: an empty bin takes the next filled bin's value + step offset. */
function densify(signature: Uint32Array, filled: Uint8Array): void {
  const bins = signature.length;
  let firstFilled = -1;
  for (let index = 0; index < bins; index++) {
    if (filled[index]) {
      firstFilled = index;
      break;
    }
  }
  if (firstFilled < 0) return;
  // Walk right-to-left so each empty bin sees its nearest filled bin to the right.
  let donor = signature[firstFilled];
  let distance = 0;
  for (let step = 0; step < bins; step++) {
    const index = (firstFilled - 1 - step + bins * 2) % bins;
    if (filled[index]) {
      donor = signature[index];
      distance = 0;
    } else {
      distance++;
      signature[index] = (donor + Math.imul(distance, 0x9e3779b1)) >>> 0;
    }
  }
}

/** Estimated Jaccard similarity: the share of equal signature positions. */
export function signatureSimilarity(a: Uint32Array, aOffset: number, b: Uint32Array, bOffset: number, length: number): number {
  let equal = 0;
  for (let index = 0; index < length; index++) if (a[aOffset + index] === b[bOffset + index]) equal++;
  return equal / length;
}
