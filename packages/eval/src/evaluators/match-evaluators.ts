/**
 * Evaluators that compare one prediction string to a reference: accuracy
 * (exact string after trim), exact match with normalisation options, GSM8K
 * (numbers extracted and compared numerically) and multiple-choice (option
 * letter extracted from free text). Each scores a percentage.
 */
import { z } from 'zod';
import { canonicalNumber, extractGsm8kAnswer } from '../postprocessors/extract-gsm8k-answer.js';
import { extractOption } from '../postprocessors/extract-option.js';
import type { EvalDetail } from '../types.js';
import { evaluators, firstPrediction, percent, type EvalSample, type Evaluator } from './evaluator.js';

/** Builds an evaluator from a per-sample comparison. */
function matching(
  metric: string,
  prepare: (sample: EvalSample) => { prediction: string; reference: string | string[] },
  equal: (prediction: string, reference: string) => boolean,
): Evaluator {
  return {
    metric,
    async evaluate(samples) {
      const details: EvalDetail[] = samples.map((sample) => {
        const { prediction, reference } = prepare(sample);
        const references = Array.isArray(reference) ? reference : [reference];
        return { index: sample.index, prediction, reference, correct: references.some((candidate) => equal(prediction, candidate)) };
      });
      return { metric, score: percent(details.map((detail) => detail.correct === true)), details };
    },
  };
}

const asReference = (value: unknown): string | string[] => (Array.isArray(value) ? value.map(String) : String(value ?? ''));

evaluators.register('accuracy', {
  type: 'accuracy',
  schema: z.strictObject({ type: z.literal('accuracy') }),
  create: () =>
    matching('accuracy', (sample) => ({ prediction: firstPrediction(sample.prediction).trim(), reference: asReference(sample.reference) }), (a, b) => a === b.trim()),
});

export const exactMatchOptionsSchema = z.strictObject({
  type: z.literal('exact-match'),
  ignoreCase: z.boolean().default(false),
  ignorePunctuation: z.boolean().default(false),
  /** Collapse runs of whitespace to one space and trim. */
  ignoreWhitespace: z.boolean().default(true),
  /** Drop English articles (a, an, the), SQuAD-style. */
  ignoreArticles: z.boolean().default(false),
  /** Regexes whose matches are removed from both sides before comparing. */
  regexesToIgnore: z.array(z.string()).default([]),
});
export type ExactMatchOptions = z.infer<typeof exactMatchOptionsSchema>;

export function normaliseAnswer(text: string, options: Omit<ExactMatchOptions, 'type'>): string {
  let out = text;
  for (const pattern of options.regexesToIgnore) out = out.replace(new RegExp(pattern, 'g'), '');
  if (options.ignoreCase) out = out.toLowerCase();
  if (options.ignorePunctuation) out = out.replace(/[\p{P}\p{S}]/gu, '');
  if (options.ignoreArticles) out = out.replace(/\b(a|an|the)\b/gi, ' ');
  if (options.ignoreWhitespace) out = out.replace(/\s+/g, ' ').trim();
  return out;
}

evaluators.register('exact-match', {
  type: 'exact-match',
  schema: exactMatchOptionsSchema,
  create: (options: ExactMatchOptions) =>
    matching(
      'exact_match',
      (sample) => ({ prediction: firstPrediction(sample.prediction), reference: asReference(sample.reference) }),
      (a, b) => normaliseAnswer(a, options) === normaliseAnswer(b, options),
    ),
});

evaluators.register('gsm8k', {
  type: 'gsm8k',
  schema: z.strictObject({ type: z.literal('gsm8k') }),
  create: () =>
    matching(
      'accuracy',
      (sample) => ({
        prediction: extractGsm8kAnswer(firstPrediction(sample.prediction)),
        reference: extractGsm8kAnswer(String(sample.reference ?? '')),
      }),
      (a, b) => a !== '' && (a === b || Math.abs(Number(canonicalNumber(a)) - Number(canonicalNumber(b))) < 1e-6),
    ),
});

evaluators.register('mcq', {
  type: 'mcq',
  schema: z.strictObject({ type: z.literal('mcq'), options: z.string().regex(/^[A-Za-z]+$/).default('ABCD') }),
  create: (options: { type: 'mcq'; options: string }) =>
    matching(
      'accuracy',
      (sample) => ({ prediction: extractOption(firstPrediction(sample.prediction), options.options), reference: asReference(sample.reference) }),
      (a, b) => a !== '' && a === b.trim().toUpperCase(),
    ),
});
