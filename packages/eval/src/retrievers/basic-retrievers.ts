/**
 * The retrievers that need no index: zero-shot (no examples), fixed (the same k
 * examples for everyone: the first k, or listed indices) and random (k examples
 * per item, seeded by (seed, test index)).
 */
import { mulberry32 } from '@chainlm/core';
import { z } from 'zod';
import { nonNegativeInt, positiveInt } from '../config/component.js';
import { EvalError } from '../errors.js';
import { mixSeed, sampleIndices } from '../util/random.js';
import { retrievers, type Retriever } from './retriever.js';

export const zeroShotRetriever = retrievers.register('zero-shot', {
  type: 'zero-shot',
  schema: z.strictObject({ type: z.literal('zero-shot') }),
  create: (): Retriever => ({ retrieve: async (test) => test.map(() => []) }),
});

export const fixedRetriever = retrievers.register('fixed', {
  type: 'fixed',
  schema: z.strictObject({ type: z.literal('fixed'), k: nonNegativeInt.optional(), indices: z.array(nonNegativeInt).optional() }),
  create: (options: { type: 'fixed'; k?: number; indices?: number[] }): Retriever => ({
    retrieve: async (test, _indices, train) => {
      const chosen = options.indices ?? Array.from({ length: Math.min(options.k ?? 1, train.length) }, (_, index) => index);
      const outOfRange = chosen.find((index) => index >= train.length);
      if (outOfRange !== undefined) {
        throw new EvalError(
          'eval-dataset-format',
          `retriever.indices: index ${outOfRange} is out of range; the train split has ${train.length} rows`,
          'list indices below the train split size',
        );
      }
      return test.map(() => [...chosen]);
    },
  }),
});

export const randomRetriever = retrievers.register('random', {
  type: 'random',
  schema: z.strictObject({ type: z.literal('random'), k: positiveInt, seed: z.number().int().default(0) }),
  create: (options: { type: 'random'; k: number; seed: number }): Retriever => ({
    retrieve: async (test, testIndices, train) =>
      test.map((_, position) => sampleIndices(train.length, options.k, mulberry32(mixSeed(options.seed, testIndices[position])))),
  }),
});
