/** `gen`: generate a completion per item (n > 1 samples for pass@k), greedy by default. */
import { z } from 'zod';
import { positiveInt } from '../config/component.js';
import { inferencers, type Inferencer } from './inferencer.js';

export const genOptionsSchema = z.strictObject({
  type: z.literal('gen'),
  /** Max generated tokens. */
  maxOutLen: positiveInt.default(256),
  stop: z.array(z.string().min(1)).default([]),
  temperature: z.number().min(0).default(0),
  topP: z.number().gt(0).max(1).optional(),
  /** Completions per item; pass@k needs n ≥ k. */
  n: positiveInt.default(1),
  seed: z.number().int().optional(),
});
export type GenOptions = z.infer<typeof genOptionsSchema>;

export const genInferencer = inferencers.register('gen', {
  type: 'gen',
  schema: genOptionsSchema,
  create: (options: GenOptions): Inferencer => ({
    mode: 'gen',
    needsCandidates: false,
    async infer(items, model) {
      const results = await model.generate(
        items.map((item) => ({
          prompt: item.prompt,
          maxTokens: options.maxOutLen,
          stop: options.stop,
          temperature: options.temperature,
          topP: options.topP,
          n: options.n,
          seed: options.seed,
        })),
      );
      return items.map((item, position) => {
        const { texts, truncatedTokens } = results[position];
        return {
          index: item.index,
          prompt: item.prompt,
          prediction: texts[0] ?? '',
          ...(options.n > 1 ? { predictions: texts } : {}),
          reference: item.reference,
          ...(truncatedTokens ? { truncatedTokens } : {}),
        };
      });
    },
  }),
});
