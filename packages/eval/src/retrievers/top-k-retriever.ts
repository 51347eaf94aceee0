/**
 * Top-k by embedding similarity: cosine similarity between the test item's
 * embedding and every train row's, highest first, ties by lower train index.
 * Needs a model with `embed`; the train embeddings are computed once per call.
 */
import { z } from 'zod';
import { positiveInt } from '../config/component.js';
import { EvalError } from '../errors.js';
import { retrievers, rowText, type Retriever } from './retriever.js';

const embedBatch = 64;

export const topKRetriever = retrievers.register('top-k', {
  type: 'top-k',
  schema: z.strictObject({ type: z.literal('top-k'), k: positiveInt }),
  create: (options: { type: 'top-k'; k: number }): Retriever => ({
    retrieve: async (test, _indices, train, context) => {
      const model = context.model;
      if (!model?.embed) {
        throw new EvalError(
          'eval-model-capability',
          `retriever "top-k" needs embeddings but model "${model?.name ?? '(none)'}" cannot embed`,
          'use retriever type bm25 or random, or a model with embeddings (openai: `embeddings: true`)',
        );
      }
      const embedAll = async (texts: string[]) => {
        const out: number[][] = [];
        for (let start = 0; start < texts.length; start += embedBatch) out.push(...(await model.embed!(texts.slice(start, start + embedBatch))));
        return out.map(normalise);
      };
      const trainVectors = await embedAll(train.map((row) => rowText(row, context.inputColumns)));
      const testVectors = await embedAll(test.map((row) => rowText(row, context.inputColumns)));
      return testVectors.map((query) =>
        trainVectors
          .map((vector, id) => ({ id, score: dot(query, vector) }))
          .sort((a, b) => b.score - a.score || a.id - b.id)
          .slice(0, options.k)
          .map((hit) => hit.id),
      );
    },
  }),
});

function normalise(vector: number[]): number[] {
  const norm = Math.sqrt(dot(vector, vector));
  return norm === 0 ? vector : vector.map((value) => value / norm);
}

function dot(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}
