import { mulberry32 } from '@chainlm/core';
import { describe, expect, it } from 'vitest';
import { LshIndex, optimalBands } from './lsh-index.js';
import { MinHasher, signatureSimilarity } from './minhash.js';

/**
 * 2,000 random documents (80–300 words from a 3,000-word vocabulary) and 400 planted
 * near-duplicates of random originals, each with 1–4% of words substituted, inserted
 * or deleted. Returns the texts and, per text, the index of its original (or -1).
 */
function plantedCorpus(seed: number): { texts: string[]; originOf: number[] } {
  const next = mulberry32(seed);
  const vocabulary = Array.from({ length: 3000 }, (_, index) => `w${index.toString(36)}${'aeiou'[index % 5]}`);
  const word = () => vocabulary[Math.floor(next() * vocabulary.length)];
  const texts: string[] = [];
  const originOf: number[] = [];
  for (let doc = 0; doc < 2000; doc++) {
    texts.push(Array.from({ length: 80 + Math.floor(next() * 220) }, word).join(' '));
    originOf.push(-1);
  }
  for (let planted = 0; planted < 400; planted++) {
    const origin = Math.floor(next() * 2000);
    const words = texts[origin].split(' ');
    const edits = Math.max(1, Math.round(words.length * (0.01 + next() * 0.03)));
    for (let edit = 0; edit < edits; edit++) {
      const at = Math.floor(next() * words.length);
      const choice = next();
      if (choice < 0.4) words[at] = word();
      else if (choice < 0.7) words.splice(at, 0, word());
      else words.splice(at, 1);
    }
    // Insert at a random later position so duplicates are interleaved with originals.
    texts.push(words.join(' '));
    originOf.push(origin);
  }
  return { texts, originOf };
}

describe('MinHash + LSH near-dedup', () => {
  it('finds planted near-duplicates with high precision and recall', () => {
    const { texts, originOf } = plantedCorpus(7);
    const threshold = 0.7;
    const hasher = new MinHasher({ numPerm: 128, shingle: 5 });
    const index = new LshIndex(128, optimalBands(128, threshold));
    const signature = new Uint32Array(128);
    const keptToDoc: number[] = [];
    const detected = new Set<number>();
    let falsePositives = 0;
    for (let doc = 0; doc < texts.length; doc++) {
      hasher.signature(texts[doc], signature);
      const found = index.findOrInsert(signature, threshold);
      if (found.match < 0) {
        keptToDoc.push(doc);
        continue;
      }
      const matchedDoc = keptToDoc[found.match];
      if (originOf[doc] >= 0 && (originOf[doc] === matchedDoc || originOf[doc] === originOf[matchedDoc])) detected.add(doc);
      else falsePositives++;
    }
    const planted = originOf.flatMap((origin, doc) => (origin >= 0 ? [doc] : []));
    // Ground truth by exact 5-word-shingle Jaccard: edits of up to 4% of words can push a
    // copy below the threshold, and a deduplicator should not be blamed for keeping those.
    // The signature estimate has a standard deviation of ~0.04 at 128 values, so pairs just
    // above the threshold are coin flips; recall is judged on pairs ≥ threshold + 0.05.
    const above = planted.filter((doc) => shingleJaccard(texts[doc], texts[originOf[doc]], 5) >= threshold + 0.05);
    const precision = detected.size / Math.max(1, detected.size + falsePositives);
    const recallAll = detected.size / planted.length;
    const recallAbove = above.filter((doc) => detected.has(doc)).length / above.length;
    console.log(
      `near-dedup on ${texts.length} docs, ${planted.length} planted (${above.length} with true Jaccard ≥ ${threshold + 0.05}): ` +
        `precision ${precision.toFixed(3)}, recall ${recallAll.toFixed(3)} (all planted), ${recallAbove.toFixed(3)} (Jaccard ≥ ${threshold + 0.05}), bands ${optimalBands(128, threshold)}`,
    );
    expect(precision).toBeGreaterThanOrEqual(0.98);
    expect(recallAbove).toBeGreaterThanOrEqual(0.95);
    expect(recallAll).toBeGreaterThanOrEqual(0.8);
  });

  it('estimates Jaccard close to the true shingle Jaccard', () => {
    const words = Array.from({ length: 400 }, (_, index) => `t${index}`);
    const a = words.join(' ');
    const b = [...words.slice(0, 300), ...Array.from({ length: 100 }, (_, index) => `u${index}`)].join(' ');
    // 5-word shingles: A has 396, B has 396, 296 shared → J = 296 / 496 ≈ 0.597.
    const hasher = new MinHasher({ numPerm: 256, shingle: 5 });
    const [sa, sb] = [new Uint32Array(256), new Uint32Array(256)];
    hasher.signature(a, sa);
    hasher.signature(b, sb);
    expect(signatureSimilarity(sa, 0, sb, 0, 256)).toBeGreaterThan(0.5);
    expect(signatureSimilarity(sa, 0, sb, 0, 256)).toBeLessThan(0.7);
    hasher.signature(a.toUpperCase().replaceAll(' ', ',  '), sb);
    expect(signatureSimilarity(sa, 0, sb, 0, 256)).toBe(1);
  });

  it('treats CJK characters as words and short texts via densification', () => {
    const hasher = new MinHasher({ numPerm: 64, shingle: 3 });
    const [sa, sb] = [new Uint32Array(64), new Uint32Array(64)];
    expect(hasher.signature('床前明月光，疑是地上霜。举头望明月，低头思故乡。', sa)).toBe(18);
    hasher.signature('床前明月光，疑是地上霜。举头望明月，低头思故乡！', sb);
    expect(signatureSimilarity(sa, 0, sb, 0, 64)).toBe(1);
    expect(hasher.signature('   ', sa)).toBe(0);
    expect(() => new LshIndex(100, 16)).toThrow(/multiple of bands/);
  });
});

function shingleJaccard(a: string, b: string, size: number): number {
  const shingles = (text: string) => {
    const words = text.split(' ');
    const set = new Set<string>();
    for (let index = 0; index + size <= words.length; index++) set.add(words.slice(index, index + size).join(' '));
    return set;
  };
  const [setA, setB] = [shingles(a), shingles(b)];
  let shared = 0;
  for (const shingle of setA) if (setB.has(shingle)) shared++;
  return shared / (setA.size + setB.size - shared);
}
