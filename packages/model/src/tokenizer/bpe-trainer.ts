/**
 * Byte-level BPE trainer (GPT-2 scheme), for pretraining from scratch on any UTF-8
 * text, Chinese included: the base alphabet is the 256 bytes, so nothing is ever
 * unknown and decode(encode(x)) === x for every string.
 *
 * Design: lines → GPT-2 regex words → counts of unique words (merges never cross a
 * word). Each unique word is an array of symbol ids. pairCounts holds, for each
 * adjacent pair, the sum of the counts of the words containing it; pairWords lists the
 * words where it may occur. A max-heap with lazy invalidation picks the most frequent
 * pair (ties: smaller ids first); merging it rewrites only the words in its list and
 * updates counts by the difference between each word's pairs before and after, so a
 * step costs the size of the affected words, not of the corpus.
 */
import { z } from 'zod';
import { byteToChar, gpt2SplitPattern, preTokenizeWords } from './byte-level.js';
import { tokenizerUsageError } from './errors.js';
import { Heap } from './heap.js';
import { tokenizerFromJson } from './hf-tokenizer.js';
import type { TableTokenizer } from './table-tokenizer.js';
import { textBytes } from './token-table.js';
import { buildTokenizerJson, type TokenizerJsonObject } from './tokenizer-json.js';

const trainOptionsSchema = z.strictObject({
  vocabSize: z.number().int().min(257).max(1 << 24),
  specialTokens: z.array(z.string().min(1)).default(['<|endoftext|>']),
  minFrequency: z.number().int().min(1).default(2),
  /** Split every digit into its own word before BPE (LLaMA/Qwen style): no number tokens are learned. */
  splitDigits: z.boolean().default(false),
});

export type TrainBpeOptions = z.input<typeof trainOptionsSchema>;

export interface TrainedBpe {
  tokenizer: TableTokenizer;
  tokenizerJson: TokenizerJsonObject;
  /** Merges actually learned (fewer than asked when pairs ran out or fell below minFrequency). */
  mergeCount: number;
}

interface Word {
  symbols: number[];
  count: number;
}

async function countWords(lines: AsyncIterable<string> | Iterable<string>, splitDigits: boolean): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const pattern = new RegExp(gpt2SplitPattern.source, gpt2SplitPattern.flags);
  for await (const line of lines) {
    for (const word of preTokenizeWords(line, splitDigits, pattern)) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return counts;
}

function parseOptions(options: TrainBpeOptions): z.output<typeof trainOptionsSchema> {
  const parsed = trainOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw tokenizerUsageError(`trainBpeTokenizer: options.${issue.path.join('.')}: ${issue.message}`, 'vocabSize is an integer ≥ 257 (256 bytes + merges), minFrequency ≥ 1, specialTokens non-empty strings');
  }
  const { specialTokens, vocabSize } = parsed.data;
  if (new Set(specialTokens).size !== specialTokens.length) {
    throw tokenizerUsageError('trainBpeTokenizer: options.specialTokens has duplicates', 'list each special token once');
  }
  if (vocabSize < 256 + specialTokens.length) {
    throw tokenizerUsageError(`trainBpeTokenizer: options.vocabSize ${vocabSize} < 256 bytes + ${specialTokens.length} special tokens`, 'raise vocabSize');
  }
  return parsed.data;
}

export async function trainBpeTokenizer(lines: AsyncIterable<string> | Iterable<string>, options: TrainBpeOptions): Promise<TrainedBpe> {
  const { vocabSize, specialTokens, minFrequency, splitDigits } = parseOptions(options);
  const tokens = [...specialTokens, ...byteToChar];
  const ids = new Map(tokens.map((token, id) => [token, id]));
  const byteBase = specialTokens.length;
  const words: Word[] = [];
  for (const [word, count] of await countWords(lines, splitDigits)) {
    words.push({ symbols: Array.from(textBytes(word), (byte) => byte + byteBase), count });
  }
  const merges = learnMerges(words, tokens, ids, vocabSize, minFrequency);
  const tokenizerJson = buildTokenizerJson(tokens, merges, specialTokens, { splitDigits });
  const tokenizer = tokenizerFromJson(tokenizerJson, {}, 'trained tokenizer');
  return { tokenizer, tokenizerJson, mergeCount: merges.length };
}

/** Runs merges until the vocabulary is full; mutates words, tokens and ids; returns the merges in order. */
function learnMerges(words: Word[], tokens: string[], ids: Map<string, number>, vocabSize: number, minFrequency: number): [string, string][] {
  const base = vocabSize; // pair key = a * base + b; every id is < vocabSize
  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, number[]>();
  words.forEach((word, index) => {
    for (let i = 0; i + 1 < word.symbols.length; i += 1) {
      const key = word.symbols[i] * base + word.symbols[i + 1];
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + word.count);
      const list = pairWords.get(key);
      if (list === undefined) pairWords.set(key, [index]);
      else if (list[list.length - 1] !== index) list.push(index);
    }
  });
  const heap = new Heap<[number, number]>((a, b) => a[1] > b[1] || (a[1] === b[1] && a[0] < b[0]));
  for (const [key, count] of pairCounts) heap.push([key, count]);
  const merges: [string, string][] = [];
  const visited = new Int32Array(words.length).fill(-1);
  while (tokens.length < vocabSize) {
    const top = heap.pop();
    if (top === undefined) break;
    const [key, recorded] = top;
    const current = pairCounts.get(key) ?? 0;
    if (recorded !== current) {
      if (current > 0) heap.push([key, current]);
      continue;
    }
    if (current < minFrequency) break;
    const a = Math.floor(key / base);
    const b = key % base;
    const text = tokens[a] + tokens[b];
    let merged = ids.get(text);
    if (merged === undefined) {
      merged = tokens.length;
      tokens.push(text);
      ids.set(text, merged);
    }
    merges.push([tokens[a], tokens[b]]);
    const changed = applyMerge(words, pairWords.get(key) ?? [], a, b, merged, base, pairCounts, pairWords, visited, merges.length);
    pairCounts.delete(key);
    pairWords.delete(key);
    for (const changedKey of changed) {
      const count = pairCounts.get(changedKey) ?? 0;
      if (count > 0) heap.push([changedKey, count]);
    }
  }
  return merges;
}

/** Merges (a, b) → merged in the listed words; returns the pair keys whose count rose. */
function applyMerge(
  words: Word[],
  wordIndexes: readonly number[],
  a: number,
  b: number,
  merged: number,
  base: number,
  pairCounts: Map<number, number>,
  pairWords: Map<number, number[]>,
  visited: Int32Array,
  step: number,
): Set<number> {
  const rose = new Set<number>();
  for (const index of wordIndexes) {
    if (visited[index] === step) continue;
    visited[index] = step;
    const word = words[index];
    const symbols = word.symbols;
    let found = false;
    for (let i = 0; i + 1 < symbols.length; i += 1) if (symbols[i] === a && symbols[i + 1] === b) found = true;
    if (!found) continue;
    for (let i = 0; i + 1 < symbols.length; i += 1) {
      const pair = symbols[i] * base + symbols[i + 1];
      pairCounts.set(pair, (pairCounts.get(pair) as number) - word.count);
    }
    let write = 0;
    for (let read = 0; read < symbols.length; read += 1) {
      if (read + 1 < symbols.length && symbols[read] === a && symbols[read + 1] === b) {
        symbols[write] = merged;
        read += 1;
      } else {
        symbols[write] = symbols[read];
      }
      write += 1;
    }
    symbols.length = write;
    for (let i = 0; i + 1 < symbols.length; i += 1) {
      const pair = symbols[i] * base + symbols[i + 1];
      pairCounts.set(pair, (pairCounts.get(pair) ?? 0) + word.count);
      if (symbols[i] === merged || symbols[i + 1] === merged) {
        rose.add(pair);
        const list = pairWords.get(pair);
        if (list === undefined) pairWords.set(pair, [index]);
        else if (list[list.length - 1] !== index) list.push(index);
      }
    }
  }
  return rose;
}
