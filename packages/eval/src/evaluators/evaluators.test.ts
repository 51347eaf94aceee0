import { describe, expect, it } from 'vitest';
import '../builtins.js';
import { createComponent } from '../config/component.js';
import { EvalError } from '../errors.js';
import type { PredictionRecord } from '../types.js';
import { evaluators, type EvalSample, type Evaluator } from './evaluator.js';
import { bleuFromStats, bleuStats } from './bleu.js';
import { lcsLength, rougeL } from './rouge.js';
import { passAtK } from './pass-at-k.js';

function make(options: { type: string } & Record<string, unknown>): Evaluator {
  return createComponent<Evaluator, void>(evaluators, evaluators.get(options.type).schema.parse(options) as { type: string }, undefined);
}

function samples(predictions: (string | null)[], references: unknown[], records: Partial<PredictionRecord>[] = []): EvalSample[] {
  return predictions.map((prediction, index) => ({
    index,
    prediction,
    reference: references[index],
    record: { index, prompt: '', prediction, reference: references[index], ...records[index] },
    row: {},
  }));
}

describe('match evaluators', () => {
  it('accuracy is the percentage of exact (trimmed) matches, with per-sample details', async () => {
    const result = await make({ type: 'accuracy' }).evaluate(samples(['A', ' B ', 'C', 'D'], ['A', 'B', 'D', 'D']));
    expect(result.score).toBe(75);
    expect(result.metric).toBe('accuracy');
    expect(result.details.map((detail) => detail.correct)).toEqual([true, true, false, true]);
    expect(result.details[2]).toMatchObject({ index: 2, prediction: 'C', reference: 'D', correct: false });
  });

  it('exact match applies each normalisation option', async () => {
    const pairs = samples(['The Cat!', 'a  dog', 'x-1'], ['the cat', 'dog', 'x1']);
    expect((await make({ type: 'exact-match' }).evaluate(pairs)).score).toBe(0);
    const loose = await make({ type: 'exact-match', ignoreCase: true, ignorePunctuation: true, ignoreArticles: true }).evaluate(pairs);
    expect(loose.details.map((detail) => detail.correct)).toEqual([true, true, true]);
    const regex = await make({ type: 'exact-match', regexesToIgnore: ['-'] }).evaluate(pairs);
    expect(regex.details.map((detail) => detail.correct)).toEqual([false, false, true]);
  });

  it('exact match accepts any of several references', async () => {
    const result = await make({ type: 'exact-match' }).evaluate(samples(['Paris'], [['paris', 'Paris']]));
    expect(result.score).toBe(100);
  });

  it('gsm8k extracts #### n, "The answer is n" and the last number, compared numerically', async () => {
    const result = await make({ type: 'gsm8k' }).evaluate(
      samples(
        ['so it is\n#### 1,234', 'Then 3+15. The answer is 18.', 'first 5 then 7.00', 'no idea'],
        ['x\n#### 1234', '#### 18', '#### 7', '#### 3'],
      ),
    );
    expect(result.details.map((detail) => detail.prediction)).toEqual(['1234', '18', '7', '']);
    expect(result.details.map((detail) => detail.correct)).toEqual([true, true, true, false]);
    expect(result.score).toBe(75);
  });

  it('mcq extracts the option letter from free text', async () => {
    const result = await make({ type: 'mcq' }).evaluate(
      samples(['The answer is (C).', '答案是B', 'D. because', 'I cannot tell', 'answer: a dog'], ['C', 'B', 'D', 'A', 'A']),
    );
    expect(result.details.map((detail) => detail.prediction)).toEqual(['C', 'B', 'D', '', '']);
    expect(result.score).toBe(60);
  });
});

describe('BLEU and ROUGE-L', () => {
  it('BLEU-4 of a short hypothesis matches the hand computation', async () => {
    // p1 = 5/5, p2 = 3/4, p3 = 2/3, p4 = 1/2; BP = exp(1 − 6/5).
    const expected = 100 * Math.exp(1 - 6 / 5) * (1 * 0.75 * (2 / 3) * 0.5) ** 0.25;
    const result = await make({ type: 'bleu' }).evaluate(samples(['the cat sat on mat'], ['the cat sat on the mat']));
    expect(result.score).toBeCloseTo(expected, 10);
    // Sentence BLEU with add-one for n > 1: 5/5, 4/5, 3/4, 2/3.
    expect(result.details[0].score).toBeCloseTo(100 * Math.exp(-0.2) * (1 * 0.8 * 0.75 * (2 / 3)) ** 0.25, 10);
    expect((await make({ type: 'bleu' }).evaluate(samples(['a b c d'], ['a b c d']))).score).toBeCloseTo(100, 10);
  });

  it('corpus BLEU sums statistics rather than averaging sentences', () => {
    const one = bleuStats(['a', 'b', 'c', 'd'], [['a', 'b', 'c', 'd']]);
    const zero = bleuStats(['x', 'y'], [['a', 'b']]);
    expect(bleuFromStats(zero, false)).toBe(0);
    const total = { matches: one.matches.map((m, i) => m + zero.matches[i]), totals: one.totals.map((t, i) => t + zero.totals[i]), hypothesisLength: 6, referenceLength: 6 };
    // p1 = 4/6, p2 = 3/4, p3 = 2/2, p4 = 1/1
    expect(bleuFromStats(total, false)).toBeCloseTo(((4 / 6) * (3 / 4)) ** 0.25, 12);
  });

  it('ROUGE-L is the F1 of the longest common subsequence', async () => {
    expect(lcsLength(['a', 'b', 'c', 'd'], ['a', 'c', 'd', 'b'])).toBe(3);
    // LCS("the cat sat", "the cat on the mat") = 2; P = 2/3, R = 2/5, F1 = 0.5
    expect(rougeL('The cat sat', 'the cat on the mat')).toBeCloseTo(0.5, 12);
    const result = await make({ type: 'rouge-l' }).evaluate(samples(['The cat sat', 'nothing'], ['the cat on the mat', 'else']));
    expect(result.score).toBeCloseTo(25, 12);
    expect(result.details.map((detail) => detail.score)).toEqual([50, 0]);
  });
});

describe('perplexity and bits per byte', () => {
  it('are token- and byte-weighted over the corpus', async () => {
    const result = await make({ type: 'perplexity' }).evaluate(
      samples([null, null], [null, null], [
        { logprob: -2, tokenCount: 2, bytes: 4 },
        { logprob: -4, tokenCount: 2, bytes: 4 },
      ]),
    );
    expect(result.score).toBeCloseTo(Math.exp(6 / 4), 12);
    expect(result.extra!.bits_per_byte).toBeCloseTo(6 / (Math.LN2 * 8), 12);
    const bpb = await make({ type: 'perplexity', metric: 'bits_per_byte' }).evaluate(samples([null], [null], [{ logprob: -Math.LN2 * 8, tokenCount: 3, bytes: 4 }]));
    expect(bpb.score).toBeCloseTo(2, 12);
  });

  it('refuses predictions without log-likelihoods', async () => {
    await expect(make({ type: 'perplexity' }).evaluate(samples(['text'], ['text']))).rejects.toMatchObject({
      code: 'eval-dataset-format',
      hint: expect.stringMatching(/use the `ll` inferencer/),
    });
  });
});

describe('pass@k', () => {
  it('is the unbiased estimator 1 − C(n−c, k)/C(n, k)', () => {
    expect(passAtK(5, 2, 1)).toBeCloseTo(0.4, 12);
    expect(passAtK(5, 0, 1)).toBe(0);
    expect(passAtK(5, 5, 1)).toBe(1);
    expect(passAtK(5, 2, 2)).toBeCloseTo(1 - 3 / 10, 12);
    expect(passAtK(5, 4, 2)).toBe(1);
  });

  it('needs n ≥ k', () => {
    expect(() => passAtK(1, 0, 5)).toThrow(EvalError);
    expect(() => passAtK(1, 0, 5)).toThrow(expect.objectContaining({ hint: expect.stringMatching(/set the gen inferencer's n to at least 5/) }));
  });
});
