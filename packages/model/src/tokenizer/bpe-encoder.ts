/**
 * Fast byte-level BPE encoder (GPT-2 style), shared by the trainer and by plain
 * byte-level tokenizer.json files.
 *
 * Design: text → GPT-2 regex words → each word's bytes → merges applied in rank order
 * (lowest rank first; all non-overlapping occurrences of that pair, left to right,
 * which equals HF's (rank, position) priority queue because a pair's rank is always
 * lower than that of any pair built from its result). Words repeat heavily in real
 * text, so each word's ids are cached: on English prose the cache hit rate is > 95 %
 * and the merge loop runs only for new words.
 */
import { byteLevelTokenBytes, bytesToByteLevel, gpt2SplitPattern, preTokenizeWords } from './byte-level.js';
import { tokenizerFileError } from './errors.js';
import { textBytes } from './token-table.js';

/** Pair key `a * pairBase + b`; ids stay below 2^26, so keys stay exact in a double. */
const pairBase = 2 ** 26;
const maxCachedWords = 500_000;

export interface BpeMergeTable {
  /** byte → id of its single-byte token. */
  readonly byteIds: Int32Array;
  /** pair key → rank * pairBase + merged id. */
  readonly merges: ReadonlyMap<number, number>;
}

/** Builds the merge table from tokenizer.json-style vocab and "a b" merges (or [a, b] pairs). */
export function buildMergeTable(
  vocab: ReadonlyMap<string, number>,
  merges: readonly (string | readonly [string, string])[],
  where: string,
): BpeMergeTable {
  const byteIds = new Int32Array(256).fill(-1);
  for (const [token, id] of vocab) {
    const bytes = byteLevelTokenBytes(token);
    if (bytes !== null && bytes.length === 1) byteIds[bytes[0]] = id;
  }
  const missing = byteIds.indexOf(-1);
  if (missing >= 0) {
    throw tokenizerFileError(where, `byte ${missing} has no single-byte token`, 'a byte-level BPE vocabulary needs all 256 byte tokens');
  }
  const table = new Map<number, number>();
  merges.forEach((merge, rank) => {
    const [left, right] = typeof merge === 'string' ? splitMerge(merge) : merge;
    const a = vocab.get(left);
    const b = vocab.get(right);
    const merged = vocab.get(left + right);
    if (a === undefined || b === undefined || merged === undefined) {
      throw tokenizerFileError(
        where,
        `model.merges[${rank}] "${left} ${right}" uses a token missing from model.vocab`,
        'every merge "a b" needs a, b and ab in the vocabulary; re-export the tokenizer',
      );
    }
    const key = a * pairBase + b;
    if (!table.has(key)) table.set(key, rank * pairBase + merged);
  });
  return { byteIds, merges: table };
}

function splitMerge(merge: string): [string, string] {
  const space = merge.indexOf(' ', 1);
  return [merge.slice(0, space), merge.slice(space + 1)];
}

/** Applies merges to one word's bytes; returns its token ids. */
export function mergeWord(table: BpeMergeTable, bytes: Uint8Array): number[] {
  const symbols = new Array<number>(bytes.length);
  for (let i = 0; i < bytes.length; i += 1) symbols[i] = table.byteIds[bytes[i]];
  let length = symbols.length;
  while (length > 1) {
    let bestRank = Infinity;
    let bestValue = -1;
    let bestPos = -1;
    for (let i = 0; i < length - 1; i += 1) {
      const value = table.merges.get(symbols[i] * pairBase + symbols[i + 1]);
      if (value !== undefined && value < bestRank) {
        bestRank = value;
        bestValue = value;
        bestPos = i;
      }
    }
    if (bestPos < 0) break;
    const a = symbols[bestPos];
    const b = symbols[bestPos + 1];
    const merged = bestValue % pairBase;
    let write = bestPos;
    for (let read = bestPos; read < length; read += 1) {
      if (read < length - 1 && symbols[read] === a && symbols[read + 1] === b) {
        symbols[write] = merged;
        read += 1;
      } else {
        symbols[write] = symbols[read];
      }
      write += 1;
    }
    length = write;
  }
  symbols.length = length;
  return symbols;
}

/** Byte-level BPE over GPT-2 regex words with a per-word cache. Special tokens are split off by the caller. */
export class ByteLevelBpeEncoder {
  private readonly cache = new Map<string, number[]>();
  private readonly pattern = new RegExp(gpt2SplitPattern.source, gpt2SplitPattern.flags);

  constructor(
    private readonly table: BpeMergeTable,
    /** Llama-3 style `ignore_merges`: the byte-level vocabulary; a word that is in it is one token. */
    private readonly wholeWords: ReadonlyMap<string, number> | null = null,
    /** HF `Digits { individual_digits: true }` before the byte-level regex. */
    private readonly splitDigits = false,
  ) {}

  /** Appends the ids of `text` to `out`. */
  encodeInto(text: string, out: number[]): void {
    if (this.splitDigits) {
      for (const word of preTokenizeWords(text, true, this.pattern)) {
        const ids = this.encodeWord(word);
        for (let i = 0; i < ids.length; i += 1) out.push(ids[i]);
      }
      return;
    }
    const pattern = this.pattern;
    pattern.lastIndex = 0;
    for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
      const ids = this.encodeWord(match[0]);
      for (let i = 0; i < ids.length; i += 1) out.push(ids[i]);
    }
  }

  encodeWord(word: string): number[] {
    let ids = this.cache.get(word);
    if (ids !== undefined) return ids;
    const bytes = textBytes(word);
    const whole = this.wholeWords === null ? undefined : this.wholeWords.get(bytesToByteLevel(bytes));
    ids = whole === undefined ? mergeWord(this.table, bytes) : [whole];
    if (this.cache.size >= maxCachedWords) this.cache.clear();
    this.cache.set(word, ids);
    return ids;
  }
}
