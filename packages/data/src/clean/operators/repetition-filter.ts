/**
 * Repetition filter (Gopher / Data-Juicer style): the share of n-grams that occur more
 * than once, counted with multiplicity — sum of counts of repeated n-grams / all
 * n-grams. Words are whitespace-separated tokens; `unit: char` uses characters (for
 * text without spaces, e.g. Chinese).
 */
import { z } from 'zod';
import { recordText } from '../../records/kinds.js';
import { fmix32, windowHashes } from '../../dedup/hash32.js';
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
  // n-grams as 32-bit hashes (a collision can only overcount, by ~total²/2³² at most),
  // counted in a reused open-addressing table: Map<number, number> was 5× slower.
  const ngrams = scratch(total);
  windowHashes(units, units.length, n, n, ngrams);
  const table = countTable(total);
  const mask = table.keys.length - 1;
  const stamp = ++table.stamp;
  let repeated = 0;
  for (let index = 0; index < total; index++) {
    const hash = ngrams[index];
    let slot = hash & mask;
    while (table.stamps[slot] === stamp && table.keys[slot] !== hash) slot = (slot + 1) & mask;
    if (table.stamps[slot] !== stamp) {
      table.stamps[slot] = stamp;
      table.keys[slot] = hash;
      table.counts[slot] = 1;
      continue;
    }
    // Each occurrence of a repeated n-gram counts: the second brings the first along.
    repeated += ++table.counts[slot] === 2 ? 2 : 1;
  }
  return repeated / total;
}

/** Open-addressing table reused across calls; a slot is live when its stamp is the call's. */
let table = { keys: new Uint32Array(1 << 12), counts: new Uint32Array(1 << 12), stamps: new Uint32Array(1 << 12), stamp: 0 };
let ngramBuffer = new Uint32Array(1 << 12);
let unitBuffer = new Uint32Array(1 << 12);

function countTable(entries: number): typeof table {
  if (table.keys.length < entries * 2 || table.stamp === 0xffffffff) {
    let size = table.keys.length;
    while (size < entries * 2) size *= 2;
    table = { keys: new Uint32Array(size), counts: new Uint32Array(size), stamps: new Uint32Array(size), stamp: 0 };
  }
  return table;
}

function scratch(length: number): Uint32Array {
  if (ngramBuffer.length < length) ngramBuffer = new Uint32Array(Math.max(length, ngramBuffer.length * 2));
  return ngramBuffer;
}

/** 32-bit hashes of the words (whitespace-separated) or non-space characters of `text`. */
function unitHashes(text: string, unit: 'word' | 'char'): Uint32Array {
  if (unitBuffer.length < text.length) unitBuffer = new Uint32Array(Math.max(text.length, unitBuffer.length * 2));
  const out = unitBuffer;
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
