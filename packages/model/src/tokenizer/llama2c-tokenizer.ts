/**
 * llama2.c `tokenizer.bin` (what karpathy's run.c reads): int32 max_token_length, then
 * per token float32 score, int32 byte length, bytes (SentencePiece `▁` already
 * replaced by a space; BOS/EOS stored as "\n<s>\n" / "\n</s>\n"). The file has no
 * token count: tokens run to the end of the file.
 *
 * Encoding is run.c's: optional BOS, a dummy-prefix " " token for non-empty text, each
 * UTF-8 character looked up (unknown → its bytes as `<0xAB>` ids, byte + 3), then
 * repeatedly merge the adjacent pair whose concatenation is in the vocabulary with the
 * highest score, leftmost on ties. run.c rescans the whole list per merge (O(n²)); a
 * heap with lazily invalidated entries gives the same merges in O(n log n).
 */
import { tokenizerFileError } from './errors.js';
import { Heap } from './heap.js';
import { TableTokenizer } from './table-tokenizer.js';
import { byteFallbackValue, textBytes, type TokenTable } from './token-table.js';

export interface Llama2cVocab {
  maxTokenLength: number;
  /** Token bytes as latin1 strings (one char per byte), so lookups are byte-exact. */
  tokens: string[];
  scores: Float32Array;
}

export function parseLlama2cTokenizer(bytes: Uint8Array, file: string): Llama2cVocab {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (message: string): never => {
    throw tokenizerFileError(file, `not a llama2.c tokenizer.bin: ${message}`, 'pass the tokenizer.bin written by llama2.c tokenizer.py --export');
  };
  if (bytes.length < 4) fail('shorter than its 4-byte header');
  const maxTokenLength = view.getInt32(0, true);
  if (maxTokenLength <= 0 || maxTokenLength > 1024) fail(`max_token_length ${maxTokenLength} is not in 1..1024`);
  const tokens: string[] = [];
  const scores: number[] = [];
  let offset = 4;
  while (offset < bytes.length) {
    if (offset + 8 > bytes.length) fail(`token ${tokens.length} header truncated at byte ${offset}`);
    const score = view.getFloat32(offset, true);
    const length = view.getInt32(offset + 4, true);
    if (length < 0 || length > maxTokenLength || offset + 8 + length > bytes.length) {
      fail(`token ${tokens.length} at byte ${offset} has length ${length} (max_token_length ${maxTokenLength}, file ${bytes.length} bytes)`);
    }
    tokens.push(Buffer.from(bytes.buffer, bytes.byteOffset + offset + 8, length).toString('latin1'));
    scores.push(score);
    offset += 8 + length;
  }
  if (tokens.length < 3 + 256) fail(`only ${tokens.length} tokens; expected <unk>, <s>, </s> and 256 byte tokens at least`);
  return { maxTokenLength, tokens, scores: Float32Array.from(scores) };
}

interface PairEntry {
  score: number;
  left: number;
  right: number;
  leftId: number;
  rightId: number;
  merged: number;
}

/** run.c encode(); `lookup` maps latin1 token strings to ids. */
export function encodeLlama2c(vocab: Llama2cVocab, lookup: Map<string, number>, text: string, bos: boolean): number[] {
  const ids: number[] = [];
  if (bos) ids.push(1);
  if (text.length === 0) return ids;
  const dummyPrefix = lookup.get(' ');
  if (dummyPrefix !== undefined) ids.push(dummyPrefix);
  for (const char of text) {
    const key = Buffer.from(char, 'utf8').toString('latin1');
    const id = lookup.get(key);
    if (id !== undefined) ids.push(id);
    else for (let i = 0; i < key.length; i += 1) ids.push(key.charCodeAt(i) + 3);
  }
  return mergeByScore(vocab, lookup, ids);
}

function mergeByScore(vocab: Llama2cVocab, lookup: Map<string, number>, ids: number[]): number[] {
  const count = ids.length;
  const next = Int32Array.from({ length: count }, (_, i) => (i + 1 < count ? i + 1 : -1));
  const prev = Int32Array.from({ length: count }, (_, i) => i - 1);
  const alive = new Uint8Array(count).fill(1);
  const heap = new Heap<PairEntry>((a, b) => a.score > b.score || (a.score === b.score && a.left < b.left));
  const consider = (left: number, right: number): void => {
    if (left < 0 || right < 0) return;
    const merged = lookup.get(vocab.tokens[ids[left]] + vocab.tokens[ids[right]]);
    if (merged === undefined) return;
    heap.push({ score: vocab.scores[merged], left, right, leftId: ids[left], rightId: ids[right], merged });
  };
  for (let i = 0; i + 1 < count; i += 1) consider(i, i + 1);
  for (let entry = heap.pop(); entry !== undefined; entry = heap.pop()) {
    const { left, right } = entry;
    const stale = !alive[left] || !alive[right] || next[left] !== right || ids[left] !== entry.leftId || ids[right] !== entry.rightId;
    if (stale) continue;
    ids[left] = entry.merged;
    alive[right] = 0;
    next[left] = next[right];
    if (next[right] >= 0) prev[next[right]] = left;
    consider(prev[left], left);
    consider(left, next[left]);
  }
  return ids.filter((_, i) => alive[i] === 1);
}

function buildTable(vocab: Llama2cVocab): TokenTable {
  const special = new Uint8Array(vocab.tokens.length);
  const tokens: string[] = [];
  const bytes = vocab.tokens.map((latin1, id) => {
    const raw = Buffer.from(latin1, 'latin1');
    const text = raw.toString('utf8');
    const trimmed = text.trim();
    if (id < 3 && (trimmed === '<unk>' || trimmed === '<s>' || trimmed === '</s>')) {
      special[id] = 1;
      tokens.push(trimmed);
      return textBytes(trimmed);
    }
    tokens.push(text);
    const byte = byteFallbackValue(text);
    return byte >= 0 ? Uint8Array.of(byte) : new Uint8Array(raw);
  });
  return { tokens, bytes, special, stripLeadingSpace: true };
}

export function llama2cTokenizer(bytes: Uint8Array, file: string): TableTokenizer {
  const vocab = parseLlama2cTokenizer(bytes, file);
  const lookup = new Map<string, number>();
  vocab.tokens.forEach((token, id) => {
    if (!lookup.has(token)) lookup.set(token, id);
  });
  const table = buildTable(vocab);
  const roleOf = (id: number, name: string): number | null => (table.tokens[id] === name ? id : null);
  const roles = { bosId: roleOf(1, '<s>'), eosId: roleOf(2, '</s>'), padId: null, unkId: roleOf(0, '<unk>') };
  return new TableTokenizer({
    format: 'llama2c',
    table,
    roles,
    encode: (text, addSpecialTokens) => encodeLlama2c(vocab, lookup, text, addSpecialTokens && roles.bosId !== null),
  });
}
