/**
 * Repetition filter (Gopher / Data-Juicer style): the share of n-grams that occur more
 * than once, counted with multiplicity — sum of counts of repeated n-grams / all
 * n-grams. Words are whitespace-separated tokens; `unit: char` uses characters (for
 * text without spaces, e.g. Chinese).
 */
import { z } from 'zod';
import { recordText } from '../../records/kinds.js';
import { defineOperator, filterBy } from '../operator.js';

export const repetitionOperator = defineOperator({
  name: 'repetition',
  summary: 'drop records whose repeated n-gram ratio exceeds maxRatio',
  params: z.strictObject({
    ngram: z.number().int().min(1).max(50).default(10),
    unit: z.enum(['word', 'char']).default('word'),
    maxRatio: z.number().min(0).max(1).default(0.3),
  }),
  create: (params, context) =>
    filterBy((record) => {
      const ratio = repeatedNgramRatio(recordText(context.kind, record), params.ngram, params.unit);
      return ratio > params.maxRatio ? `repeated ${params.ngram}-gram ratio ${ratio.toFixed(2)} > ${params.maxRatio}` : undefined;
    }),
});

export function repeatedNgramRatio(text: string, n: number, unit: 'word' | 'char'): number {
  const units = unit === 'word' ? text.split(/\s+/).filter((word) => word.length > 0) : Array.from(text.replace(/\s+/g, ''));
  const total = units.length - n + 1;
  if (total <= 1) return 0;
  const counts = new Map<string, number>();
  for (let index = 0; index < total; index++) {
    const gram = units.slice(index, index + n).join('\u0001');
    counts.set(gram, (counts.get(gram) ?? 0) + 1);
  }
  let repeated = 0;
  for (const count of counts.values()) if (count > 1) repeated += count;
  return repeated / total;
}
