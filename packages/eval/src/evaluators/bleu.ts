/**
 * BLEU-4 (Papineni et al. 2002). The headline score is corpus BLEU (×100): clipped
 * n-gram matches and hypothesis n-gram counts summed over all samples, geometric
 * mean of the four precisions, times the brevity penalty exp(1 − r/c) when the
 * hypotheses are shorter than the references. Each detail carries sentence BLEU
 * with add-one smoothing for n > 1 (Lin & Och 2004), since one missing 4-gram
 * would otherwise zero a sentence. Several references: clipping uses the max
 * count over references and r the reference length closest to the hypothesis.
 */
import { z } from 'zod';
import { evaluators, firstPrediction } from './evaluator.js';
import { wordTokens } from './text-tokens.js';

const maxOrder = 4;

interface NgramStats {
  matches: number[];
  totals: number[];
  hypothesisLength: number;
  referenceLength: number;
}

function ngramCounts(tokens: readonly string[], order: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + order <= tokens.length; i++) {
    const key = tokens.slice(i, i + order).join('\u0001');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

export function bleuStats(hypothesis: readonly string[], references: readonly (readonly string[])[]): NgramStats {
  const matches: number[] = [];
  const totals: number[] = [];
  for (let order = 1; order <= maxOrder; order++) {
    const hypothesisCounts = ngramCounts(hypothesis, order);
    const maxReference = new Map<string, number>();
    for (const reference of references) {
      for (const [key, count] of ngramCounts(reference, order)) maxReference.set(key, Math.max(maxReference.get(key) ?? 0, count));
    }
    let matched = 0;
    for (const [key, count] of hypothesisCounts) matched += Math.min(count, maxReference.get(key) ?? 0);
    matches.push(matched);
    totals.push(Math.max(0, hypothesis.length - order + 1));
  }
  const referenceLength = references
    .map((reference) => reference.length)
    .reduce((best, length) => (Math.abs(length - hypothesis.length) < Math.abs(best - hypothesis.length) || (Math.abs(length - hypothesis.length) === Math.abs(best - hypothesis.length) && length < best) ? length : best));
  return { matches, totals, hypothesisLength: hypothesis.length, referenceLength };
}

/** BLEU in [0, 1] from summed statistics; `smooth` adds one to n > 1 counts. */
export function bleuFromStats(stats: NgramStats, smooth: boolean): number {
  if (stats.hypothesisLength === 0) return 0;
  let logSum = 0;
  for (let order = 0; order < maxOrder; order++) {
    const add = smooth && order > 0 ? 1 : 0;
    const numerator = stats.matches[order] + add;
    const denominator = stats.totals[order] + add;
    if (numerator === 0 || denominator === 0) return 0;
    logSum += Math.log(numerator / denominator);
  }
  const brevity = stats.hypothesisLength >= stats.referenceLength ? 1 : Math.exp(1 - stats.referenceLength / stats.hypothesisLength);
  return brevity * Math.exp(logSum / maxOrder);
}

evaluators.register('bleu', {
  type: 'bleu',
  schema: z.strictObject({ type: z.literal('bleu'), lowercase: z.boolean().default(false) }),
  create: (options: { type: 'bleu'; lowercase: boolean }) => ({
    metric: 'bleu',
    async evaluate(samples) {
      const total: NgramStats = { matches: [0, 0, 0, 0], totals: [0, 0, 0, 0], hypothesisLength: 0, referenceLength: 0 };
      const tokenize = (text: string) => wordTokens(text, { lowercase: options.lowercase, punctuation: true });
      const details = samples.map((sample) => {
        const prediction = firstPrediction(sample.prediction);
        const references = (Array.isArray(sample.reference) ? sample.reference : [sample.reference]).map((reference) => tokenize(String(reference)));
        const stats = bleuStats(tokenize(prediction), references);
        for (let order = 0; order < maxOrder; order++) {
          total.matches[order] += stats.matches[order];
          total.totals[order] += stats.totals[order];
        }
        total.hypothesisLength += stats.hypothesisLength;
        total.referenceLength += stats.referenceLength;
        return { index: sample.index, prediction, reference: sample.reference, score: 100 * bleuFromStats(stats, true) };
      });
      return { metric: 'bleu', score: 100 * bleuFromStats(total, false), details };
    },
  }),
});
