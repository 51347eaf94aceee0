/**
 * Writes what the trainer learned as an HF tokenizer.json (byte-level BPE exactly as
 * GPT-2's: ByteLevel pre-tokenizer with the GPT-2 regex (after HF's individual-digit
 * split when asked), no normalizer, ByteLevel
 * decoder; special tokens first in the vocabulary and listed as added tokens) plus a
 * tokenizer_config.json naming BOS/EOS/PAD, so HF tokenizers, transformers and
 * @huggingface/tokenizers all load the folder.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeJsonAtomic } from '@chainlm/core';
import { resolveSpecialRoles } from './special-roles.js';

export type TokenizerJsonObject = Record<string, unknown> & {
  added_tokens: { id: number; content: string; special: boolean }[];
  model: { type: 'BPE'; vocab: Record<string, number>; merges: string[]; [key: string]: unknown };
};

const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };

/** HF's spelling of "digits split one by one, then the byte-level regex". */
export const splitDigitsPreTokenizer = { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, byteLevel] };

export function buildTokenizerJson(
  tokens: readonly string[],
  merges: readonly [string, string][],
  specialTokens: readonly string[],
  options: { splitDigits?: boolean } = {},
): TokenizerJsonObject {
  const vocab: Record<string, number> = {};
  tokens.forEach((token, id) => {
    if (!Object.hasOwn(vocab, token)) vocab[token] = id;
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specialTokens.map((content, id) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: null,
    pre_tokenizer: options.splitDigits ? splitDigitsPreTokenizer : byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: merges.map(([left, right]) => `${left} ${right}`),
    },
  };
}

/** tokenizer_config.json for a tokenizer.json: special-token roles by convention, lossless decoding. */
export function buildTokenizerConfig(tokenizerJson: TokenizerJsonObject): Record<string, unknown> {
  const specials = new Map(tokenizerJson.added_tokens.filter((token) => token.special).map((token) => [token.content, token.id]));
  const roles = resolveSpecialRoles((token) => specials.get(token));
  const nameOf = (id: number | null | undefined) => (id === null || id === undefined ? null : tokenizerJson.added_tokens.find((token) => token.id === id)?.content ?? null);
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: nameOf(roles.bosId),
    eos_token: nameOf(roles.eosId),
    pad_token: nameOf(roles.padId),
    unk_token: nameOf(roles.unkId),
    add_prefix_space: false,
    clean_up_tokenization_spaces: false,
    model_max_length: 1_000_000_000,
  };
}

/** Writes dir/tokenizer.json and dir/tokenizer_config.json (atomically); returns the tokenizer.json path. */
export async function saveTokenizerJson(tokenizerJson: TokenizerJsonObject, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'tokenizer.json');
  await writeJsonAtomic(file, tokenizerJson);
  await writeJsonAtomic(path.join(dir, 'tokenizer_config.json'), buildTokenizerConfig(tokenizerJson));
  return file;
}
