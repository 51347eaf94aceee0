/**
 * `ll`: the log-likelihood of the whole rendered prompt (a corpus passage), for
 * perplexity and bits-per-byte. The context is empty, so the model scores every
 * token it can (a local model conditions the first token on BOS; an HTTP
 * endpoint returns no log-prob for the first echoed token, which is then not
 * counted in tokenCount).
 */
import { z } from 'zod';
import { inferencers, type Inferencer } from './inferencer.js';

export const llInferencer = inferencers.register('ll', {
  type: 'll',
  schema: z.strictObject({ type: z.literal('ll') }),
  create: (): Inferencer => ({
    mode: 'll',
    needsCandidates: false,
    async infer(items, model) {
      const results = await model.loglikelihood(items.map((item) => ({ context: '', continuation: item.prompt })));
      return items.map((item, position) => ({
        index: item.index,
        prompt: item.prompt,
        prediction: null,
        logprob: results[position].logprob,
        tokenCount: results[position].tokenCount,
        bytes: Buffer.byteLength(item.prompt),
        reference: item.reference,
      }));
    },
  }),
});
