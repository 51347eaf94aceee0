/**
 * `ppl`: the multiple-choice scoring of OpenCompass and lm-evaluation-harness.
 * Each candidate continuation is scored by its log-likelihood after the prompt;
 * the best wins. `normalization` divides the sum by the candidate's token count
 * (`tokens`) or UTF-8 byte count (`bytes`, lm-eval's acc_norm) so long answers
 * are not penalised for length. Ties go to the earliest candidate (argmaxFirst).
 */
import { z } from 'zod';
import type { LoglikelihoodRequest } from '../models/eval-model.js';
import { argmaxFirst, inferencers, type Inferencer } from './inferencer.js';

export const pplOptionsSchema = z.strictObject({
  type: z.literal('ppl'),
  normalization: z.enum(['none', 'tokens', 'bytes']).default('none'),
});
export type PplOptions = z.infer<typeof pplOptionsSchema>;

export const pplInferencer = inferencers.register('ppl', {
  type: 'ppl',
  schema: pplOptionsSchema,
  create: (options: PplOptions): Inferencer => ({
    mode: 'ppl',
    needsCandidates: true,
    async infer(items, model) {
      const requests: LoglikelihoodRequest[] = items.flatMap((item) =>
        item.candidates!.map((candidate) => ({ context: item.prompt, continuation: candidate.continuation })),
      );
      const results = await model.loglikelihood(requests);
      let cursor = 0;
      return items.map((item) => {
        const candidates = item.candidates!;
        const values = candidates.map((candidate, position) => {
          const result = results[cursor + position];
          if (options.normalization === 'tokens') return result.logprob / Math.max(1, result.tokenCount);
          if (options.normalization === 'bytes') return result.logprob / Math.max(1, Buffer.byteLength(candidate.continuation));
          return result.logprob;
        });
        cursor += candidates.length;
        return {
          index: item.index,
          prompt: item.prompt,
          prediction: candidates[argmaxFirst(values)].label,
          scores: Object.fromEntries(candidates.map((candidate, position) => [candidate.label, values[position]])),
          reference: item.reference,
        };
      });
    },
  }),
});
