import { describe, expect, it } from 'vitest';
import { buildWarpers, sampleFromLogits } from '@chainlm/model';
import { topEntries, topLogprobs } from './logprobs.js';
import { applyPenalties, filterCandidates, sampleRow, usesFusedPass } from './sampler.js';
import { parseSamplingParams } from './sampling-params.js';

const row = () => new Float32Array([1, 3, 2, 0.5, -1]);
const fixed = (value: number) => ({ next: () => value });
const context = { tokenIds: [0, 1, 1, 4], promptLength: 2 }; // prompt [0, 1], output [1, 4]

describe('sampling rules, one at a time', () => {
  it('greedy takes the argmax and reports raw logprobs on request', () => {
    const sampled = sampleRow(row(), parseSamplingParams({ temperature: 0, logprobs: 2 }), context, fixed(0.99));
    expect(sampled.tokenId).toBe(1);
    const z = Math.log([1, 3, 2, 0.5, -1].reduce((sum, value) => sum + Math.exp(value), 0));
    expect(sampled.logprob).toBeCloseTo(3 - z, 6);
    expect(sampled.topLogprobs!.map((entry) => entry.tokenId)).toEqual([1, 2]);
    expect(sampleRow(row(), parseSamplingParams({ temperature: 0 }), context, fixed(0)).logprob).toBeUndefined();
  });

  it('repetition penalty divides positive and multiplies negative logits of seen tokens', () => {
    const logits = row();
    applyPenalties(logits, parseSamplingParams({ repetitionPenalty: 2 }), context);
    expect(Array.from(logits)).toEqual([0.5, 1.5, 2, 0.5, -2]);
  });

  it('presence and frequency penalties count output tokens only', () => {
    const logits = row();
    applyPenalties(logits, parseSamplingParams({ presencePenalty: 1, frequencyPenalty: 0.5 }), { tokenIds: [0, 1, 1, 1, 4], promptLength: 2 });
    expect(Array.from(logits)).toEqual([1, 3 - 1 - 1, 2, 0.5, -1 - 1 - 0.5]);
  });

  it('top-k keeps the k largest', () => {
    expect(filterCandidates(row(), parseSamplingParams({ topK: 2 })).ids).toEqual([1, 2]);
  });

  it('top-p keeps the smallest head reaching p', () => {
    // softmax ≈ [0.08, 0.60, 0.22, 0.05, 0.01]: 0.60 < 0.7 ≤ 0.82
    expect(filterCandidates(row(), parseSamplingParams({ topP: 0.7 })).ids).toEqual([1, 2]);
    expect(filterCandidates(row(), parseSamplingParams({ topP: 0.5 })).ids).toEqual([1]);
  });

  it('min-p drops tokens below minP × the best probability', () => {
    // p(id)/p(best) = exp(logit − 3): id 2 → 0.37, id 0 → 0.14
    expect(filterCandidates(row(), parseSamplingParams({ minP: 0.3 })).ids.sort()).toEqual([1, 2]);
  });

  it('temperature sharpens: a draw at u = 0.75 picks the best at T = 0.1 but not at T = 1', () => {
    expect(sampleRow(row(), parseSamplingParams({ temperature: 0.1 }), context, fixed(0.75)).tokenId).toBe(1);
    expect(sampleRow(row(), parseSamplingParams({ temperature: 1 }), context, fixed(0.75)).tokenId).toBe(2);
  });

  it('topEntries and topLogprobs order by value', () => {
    expect(topEntries(row(), 3)).toEqual([1, 2, 0]);
    expect(topEntries(row(), 0)).toEqual([]);
    expect(topLogprobs(new Float32Array([0, 0]), 1)[0].logprob).toBeCloseTo(Math.log(0.5));
  });

  it('rejects out-of-range params naming the field', () => {
    expect(() => parseSamplingParams({ topP: 0 })).toThrow(/request\.sampling\.topP/);
    expect(() => parseSamplingParams({ temperature: -1 })).toThrow(/temperature/);
    expect(() => parseSamplingParams({ bogus: 1 } as never)).toThrow(/request\.sampling/);
  });
});

/** The rules written the plain way (sort the whole vocabulary), to check the fast paths against. */
function referenceCandidates(logits: Float32Array, topP: number, minP: number, temperature: number): number[] {
  const ids = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a] || a - b);
  const weights = ids.map((id) => Math.exp((logits[id] - logits[ids[0]]) / temperature));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let keep = 0;
  for (let cumulative = 0; keep < ids.length; ) {
    cumulative += weights[keep++];
    if (cumulative >= topP * total) break;
  }
  return ids.slice(0, keep).filter((_, index) => weights[index] >= minP * weights[0]);
}

describe('fast candidate paths on a 32 000 vocabulary', () => {
  let state = 7;
  const uniform = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const vocabRow = (spread: number) => Float32Array.from({ length: 32_000 }, () => spread * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()));

  it.each([
    // peaked rows stop at a 64/256-entry prefix; the flat row needs most of the vocabulary (full-sort fallback)
    [4, 0.9, 0, 0.8],
    [2, 0.95, 0, 1],
    [0.05, 0.9, 0, 1],
    [4, 1, 0.05, 0.7],
    [1, 0.9, 0.2, 1.3],
  ])('spread %s, topP %s, minP %s, T %s: same ids in the same order as sorting the vocabulary', (spread, topP, minP, temperature) => {
    const logits = vocabRow(spread);
    logits[123] = logits[4567] = Math.max(...logits.subarray(0, 1000)); // a tie: lower id first
    const { ids, weights } = filterCandidates(logits, parseSamplingParams({ topP, minP, temperature }));
    const expected = referenceCandidates(logits, topP, minP, temperature);
    if (minP > 0 && topP === 1) expect([...ids].sort((a, b) => a - b)).toEqual([...expected].sort((a, b) => a - b));
    else expect(ids).toEqual(expected);
    expect(weights).toHaveLength(ids.length);
  });
});

describe('one set of rules: the fused pass keeps what @chainlm/model\'s processors keep', () => {
  let state = 3;
  const uniform = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const vocabRow = (spread: number) => Float32Array.from({ length: 2_000 }, () => spread * Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()));

  it.each([
    [{ temperature: 0.8, topK: 40 }],
    [{ temperature: 1, topK: 7 }],
    [{ temperature: 0.7, topP: 0.9 }],
    [{ temperature: 1.3, minP: 0.05 }],
    [{ temperature: 0.8, topK: 50, topP: 0.8, minP: 0.02 }],
    [{ temperature: 0.5, topP: 0.95, minP: 0.1 }],
  ])('%j, peaked and flat rows, with a tie at the k-th logit', (rules) => {
    for (const spread of [4, 0.05]) {
      const logits = vocabRow(spread);
      const kth = [...logits].sort((a, b) => b - a)[(rules.topK ?? 1) - 1];
      logits[1999] = kth; // ties with the k-th logit are kept by HF's (and the model's) top-k
      const params = parseSamplingParams(rules);
      const processed = Float32Array.from(logits);
      for (const processor of buildWarpers(params)) processor(processed, { ids: [], promptLength: 0 });
      const kept = [...processed.keys()].filter((id) => processed[id] !== -Infinity);
      expect([...filterCandidates(logits, params).ids].sort((a, b) => a - b)).toEqual(kept);
    }
  });

  it('sampleRow runs the model\'s processors where they are faster, and both draw from the same candidates', () => {
    expect(usesFusedPass(parseSamplingParams({ temperature: 0.8 }), 32_000)).toBe(false);
    expect(usesFusedPass(parseSamplingParams({ topK: 40 }), 32_000)).toBe(true);
    expect(usesFusedPass(parseSamplingParams({ topK: 40_000 }), 32_000)).toBe(false);
    // Plain temperature through the processors: the same draw as sampleFromLogits on logits / T.
    const logits = vocabRow(2);
    const scaled = logits.map((value) => value / 0.5);
    expect(sampleRow(logits, parseSamplingParams({ temperature: 0.5 }), context, fixed(0.42)).tokenId).toBe(sampleFromLogits(scaled, fixed(0.42)));
  });
});
