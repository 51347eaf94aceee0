/**
 * Repetition filter (Gopher / Data-Juicer style): the share of n-grams that occur more
 * than once, counted with multiplicity — sum of counts of repeated n-grams / all
 * n-grams. Words are whitespace-separated tokens; `unit: char` uses characters (for
 * text without spaces, e.g. Chinese).
 */
import { z } from 'zod';
import { recordText } from '../../records/kinds.js';
import { combine32, fmix32 } from '../../dedup/hash32.js';
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
  const units = unitHashes(text, unit);
  const total = units.length - n + 1;
  if (total <= 1) return 0;
  // n-grams as 32-bit hashes (a collision can only overcount, by ~total²/2³² at most).
  const counts = new Map<number, number>();
  for (let index = 0; index < total; index++) {
    let hash = n;
    for (let offset = 0; offset < n; offset++) hash = combine32(hash, units[index + offset]);
    counts.set(hash, (counts.get(hash) ?? 0) + 1);
  }
  let repeated = 0;
  for (const count of counts.values()) if (count > 1) repeated += count;
  return repeated / total;
}

/** 32-bit hashes of the words (whitespace-separated) or non-space characters of `text`. */
function unitHashes(text: string, unit: 'word' | 'char'): Uint32Array {
  const out = new Uint32Array(text.length);
  let count = 0;
  let hash = 0x811c9dc5;
  let inWord = false;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const space = code === 32 || code === 10 || code === 9 || code === 13 || code === 0x3000 || code === 0xa0;
    if (unit === 'char') {
      if (!space) out[count++] = fmix32(code);
      continue;
    }
    if (space) {
      if (inWord) out[count++] = fmix32(hash);
      inWord = false;
      hash = 0x811c9dc5;
    } else {
      hash = Math.imul(hash ^ code, 0x01000193);
      inWord = true;
    }
  }
  if (inWord) out[count++] = fmix32(hash);
  return out.subarray(0, count);
}
