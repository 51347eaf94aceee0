/**
 * `clp` (conditional log-probability): for choices that are one token each
 * (" A", " B", ...), the probability of each choice token at the next position,
 * renormalised over the choices (softmax of their log-probs). A multi-token
 * choice is an error, because its score would not be a next-token probability.
 * Ties go to the earliest choice (argmaxFirst).
 */
import { z } from 'zod';
import { EvalError } from '../errors.js';
import { argmaxFirst, inferencers, type Inferencer } from './inferencer.js';

export const clpInferencer = inferencers.register('clp', {
  type: 'clp',
  schema: z.strictObject({ type: z.literal('clp') }),
  create: (): Inferencer => ({
    mode: 'clp',
    needsCandidates: true,
    async infer(items, model) {
      const results = await model.loglikelihood(
        items.flatMap((item) => item.candidates!.map((candidate) => ({ context: item.prompt, continuation: candidate.continuation }))),
      );
      let cursor = 0;
      return items.map((item) => {
        const candidates = item.candidates!;
        const logprobs = candidates.map((candidate, position) => {
          const result = results[cursor + position];
          if (result.tokenCount !== 1) {
            throw new EvalError(
              'eval-clp-multi-token',
              `clp: choice "${candidate.continuation}" of item ${item.index} is ${result.tokenCount} tokens for model "${model.name}"; clp needs one token per choice`,
              'use single-token choices (e.g. " A", " B") or the ppl inferencer',
            );
          }
          return result.logprob;
        });
        cursor += candidates.length;
        const max = Math.max(...logprobs);
        const weights = logprobs.map((logprob) => Math.exp(logprob - max));
        const total = weights.reduce((sum, weight) => sum + weight, 0);
        const probabilities = weights.map((weight) => weight / total);
        return {
          index: item.index,
          prompt: item.prompt,
          prediction: candidates[argmaxFirst(logprobs)].label,
          scores: Object.fromEntries(candidates.map((candidate, position) => [candidate.label, probabilities[position]])),
          reference: item.reference,
        };
      });
    },
  }),
});
