/**
 * ROUGE-L (Lin 2004): F1 of the longest common subsequence of word tokens
 * (lowercased; punctuation dropped; CJK characters one token each), averaged
 * over samples, ×100. Several references: the best F1.
 */
import { z } from 'zod';
import { evaluators, firstPrediction } from './evaluator.js';
import { wordTokens } from './text-tokens.js';

/** Length of the longest common subsequence; O(m·n) time, O(n) memory. */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let previous = new Array<number>(b.length + 1).fill(0);
  let current = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      current[j] = a[i - 1] === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
    }
    [previous, current] = [current, previous];
  }
  return previous[b.length];
}

export function rougeL(prediction: string, reference: string): number {
  const predicted = wordTokens(prediction, { lowercase: true });
  const expected = wordTokens(reference, { lowercase: true });
  const common = lcsLength(predicted, expected);
  if (common === 0) return 0;
  const precision = common / predicted.length;
  const recall = common / expected.length;
  return (2 * precision * recall) / (precision + recall);
}

evaluators.register('rouge-l', {
  type: 'rouge-l',
  schema: z.strictObject({ type: z.literal('rouge-l') }),
  create: () => ({
    metric: 'rouge_l',
    async evaluate(samples) {
      const details = samples.map((sample) => {
        const prediction = firstPrediction(sample.prediction);
        const references = Array.isArray(sample.reference) ? sample.reference : [sample.reference];
        const score = 100 * Math.max(...references.map((reference) => rougeL(prediction, String(reference ?? ''))));
        return { index: sample.index, prediction, reference: sample.reference, score };
      });
      const mean = details.length === 0 ? 0 : details.reduce((sum, detail) => sum + detail.score, 0) / details.length;
      return { metric: 'rouge_l', score: mean, details };
    },
  }),
});
