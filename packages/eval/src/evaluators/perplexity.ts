/**
 * Perplexity and bits-per-byte over a corpus from `ll` predictions (sums of
 * token log-probs in nats). Token-weighted, not a mean of per-passage values:
 *   perplexity   = exp(−Σ logprob / Σ tokens)
 *   bits_per_byte = −Σ logprob / (ln 2 · Σ bytes)
 * Bits-per-byte does not depend on the tokenizer, so it compares models with
 * different vocabularies; perplexity does not.
 */
import { z } from 'zod';
import { EvalError } from '../errors.js';
import { evaluators } from './evaluator.js';

evaluators.register('perplexity', {
  type: 'perplexity',
  schema: z.strictObject({ type: z.literal('perplexity'), metric: z.enum(['perplexity', 'bits_per_byte']).default('perplexity') }),
  create: (options: { type: 'perplexity'; metric: 'perplexity' | 'bits_per_byte' }) => ({
    metric: options.metric,
    async evaluate(samples) {
      let logprob = 0;
      let tokens = 0;
      let bytes = 0;
      const details = samples.map((sample) => {
        const record = sample.record;
        if (record.logprob === undefined || record.tokenCount === undefined || record.bytes === undefined) {
          throw new EvalError(
            'eval-dataset-format',
            `perplexity evaluator: prediction ${sample.index} has no log-likelihood`,
            'use the `ll` inferencer with the perplexity evaluator',
          );
        }
        logprob += record.logprob;
        tokens += record.tokenCount;
        bytes += record.bytes;
        return { index: sample.index, prediction: null, reference: null, score: record.logprob, tokenCount: record.tokenCount, bytes: record.bytes };
      });
      const perplexity = tokens === 0 ? Number.NaN : Math.exp(-logprob / tokens);
      const bitsPerByte = bytes === 0 ? Number.NaN : -logprob / (Math.LN2 * bytes);
      return {
        metric: options.metric,
        score: options.metric === 'perplexity' ? perplexity : bitsPerByte,
        details,
        extra: { perplexity, bits_per_byte: bitsPerByte },
      };
    },
  }),
});
