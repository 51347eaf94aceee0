/**
 * BM25 retrieval with MiniSearch (BM25+ ranking over the train rows' input
 * columns). Results are ordered by score, ties by lower train index; when fewer
 * than k train rows share a term with the query, the rest is filled with the
 * lowest unused train indices so every prompt has exactly k examples.
 */
import MiniSearch from 'minisearch';
import { z } from 'zod';
import { positiveInt } from '../config/component.js';
import { retrievers, rowText, type Retriever } from './retriever.js';

export const bm25Retriever = retrievers.register('bm25', {
  type: 'bm25',
  schema: z.strictObject({ type: z.literal('bm25'), k: positiveInt }),
  create: (options: { type: 'bm25'; k: number }): Retriever => ({
    retrieve: async (test, _indices, train, context) => {
      const index = new MiniSearch<{ id: number; text: string }>({ fields: ['text'], idField: 'id' });
      index.addAll(train.map((row, id) => ({ id, text: rowText(row, context.inputColumns) })));
      const k = Math.min(options.k, train.length);
      return test.map((row) => {
        const hits = index
          .search(rowText(row, context.inputColumns))
          .map((hit) => ({ id: hit.id as number, score: hit.score }))
          .sort((a, b) => b.score - a.score || a.id - b.id)
          .slice(0, k)
          .map((hit) => hit.id);
        for (let id = 0; hits.length < k; id++) if (!hits.includes(id)) hits.push(id);
        return hits;
      });
    },
  }),
});
