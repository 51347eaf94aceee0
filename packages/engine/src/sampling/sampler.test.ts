import { describe, expect, it } from 'vitest';
import { topEntries, topLogprobs } from './logprobs.js';
import { applyPenalties, filterCandidates, sampleRow } from './sampler.js';
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
