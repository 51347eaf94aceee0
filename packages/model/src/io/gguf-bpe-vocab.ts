/**
 * The tokenizer block of a GGUF file for a byte-level BPE tokenizer.json (GPT-2
 * scheme: every tokenizer chainlm trains, and GPT-2/StarCoder/SmolLM-style files),
 * written as convert_hf_to_gguf.py writes one: tokenizer.ggml.model = "gpt2", the
 * tokens in id order (byte-level spelling, so the 256 byte tokens are ordinary
 * "normal" tokens as llama.cpp's BPE expects), merges as "left right", token types
 * (special added tokens → control, other added tokens → user-defined, the embedding's
 * padding rows → unused), BOS/EOS/PAD ids, add_bos/add_eos and the chat template.
 *
 * tokenizer.ggml.pre names the llama.cpp pre-tokenizer; it must split text exactly
 * as the tokenizer.json does, else llama.cpp gives other ids. Only two shapes map:
 *  - ByteLevel (GPT-2 regex)                      → the GPT-2 regex alone
 *    ("gpt-2"; "granite-docling" when decoding must keep spaces, see below);
 *  - Sequence[Digits{individual}, ByteLevel]      → "\p{N}" split first, then the GPT-2
 *    regex ("starcoder"; "smollm" when decoding must keep spaces).
 * llama.cpp ties clean_up_tokenization_spaces to the name: "gpt-2"/"starcoder" clean
 * spaces when decoding (" ," → ","), "granite-docling"/"smollm" do not. chainlm's
 * tokenizer_config says false (decoding is lossless), so its tokenizers get the latter.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChainlmError } from '@chainlm/core';
import { loadTokenizer } from '../tokenizer/load-tokenizer.js';
import { weightFileError } from './errors.js';
import { pieceTypes } from '../tokenizer/sentencepiece-model.js';
import type { GgufValue } from './gguf-writer.js';

type Node = Record<string, unknown> | null | undefined;

interface TokenizerJsonShape {
  model?: { type?: string; vocab?: unknown; merges?: unknown; byte_fallback?: boolean; continuing_subword_prefix?: unknown; end_of_word_suffix?: unknown; dropout?: unknown };
  normalizer?: Node;
  pre_tokenizer?: Node;
  decoder?: Node;
  added_tokens?: { id: number; content: string; special?: boolean; lstrip?: boolean; rstrip?: boolean; single_word?: boolean }[];
}

const isType = (node: unknown, type: string) => node !== null && typeof node === 'object' && (node as { type?: unknown }).type === type;

function plainByteLevel(node: unknown): boolean {
  return isType(node, 'ByteLevel') && (node as Record<string, unknown>).use_regex !== false && (node as Record<string, unknown>).add_prefix_space !== true;
}

/** llama.cpp pre-tokenizer name for a tokenizer.json, or the reason there is none. */
export function llamaCppPreTokenizer(spec: TokenizerJsonShape, cleanSpaces: boolean): { pre: string } | { reason: string } {
  const model = spec.model ?? {};
  if (model.type !== 'BPE') return { reason: `model.type is ${JSON.stringify(model.type)}, not BPE` };
  if (model.byte_fallback === true || model.continuing_subword_prefix || model.end_of_word_suffix || (model.dropout !== null && model.dropout !== undefined)) {
    return { reason: 'the BPE model uses byte_fallback, subword prefixes/suffixes or dropout (not GPT-2 byte-level)' };
  }
  if (spec.normalizer !== null && spec.normalizer !== undefined) return { reason: `it has a normalizer (${JSON.stringify((spec.normalizer as Record<string, unknown>).type)}), which no llama.cpp BPE pre-tokenizer applies` };
  if (!isType(spec.decoder, 'ByteLevel')) return { reason: 'its decoder is not ByteLevel' };
  if ((spec.added_tokens ?? []).some((token) => token.lstrip || token.rstrip || token.single_word)) return { reason: 'added tokens with lstrip/rstrip/single_word are not expressible in GGUF' };
  const pre = spec.pre_tokenizer;
  if (plainByteLevel(pre)) return { pre: cleanSpaces ? 'gpt-2' : 'granite-docling' };
  const steps = isType(pre, 'Sequence') ? (pre as { pretokenizers?: unknown }).pretokenizers : undefined;
  if (Array.isArray(steps) && steps.length === 2 && isType(steps[0], 'Digits') && steps[0].individual_digits === true && plainByteLevel(steps[1])) {
    return { pre: cleanSpaces ? 'starcoder' : 'smollm' };
  }
  return { reason: `its pre_tokenizer ${JSON.stringify(pre)} matches no llama.cpp pre-tokenizer here (only ByteLevel, or Digits{individual_digits} then ByteLevel)` };
}

export function tokenizerMismatchError(file: string, tokens: number, vocabSize: number): ChainlmError {
  return new ChainlmError('tokenizer-mismatch', `${file}: ${tokens} tokens but config.json vocab_size is ${vocabSize}`, {
    hint: 'the tokenizer does not belong to this model: replace it or remove it from the folder',
    exitCode: 2,
  });
}

function mergeStrings(merges: unknown): string[] {
  if (!Array.isArray(merges)) return [];
  return merges.map((merge) => (Array.isArray(merge) ? merge.join(' ') : String(merge)));
}

async function chatTemplate(dir: string, tokenizerConfig: Record<string, unknown>): Promise<string | undefined> {
  if (typeof tokenizerConfig.chat_template === 'string') return tokenizerConfig.chat_template;
  const file = join(dir, 'chat_template.jinja');
  return existsSync(file) ? readFile(file, 'utf8') : undefined;
}

/**
 * Metadata for `dir`'s tokenizer.json, or null (with a warning) when llama.cpp could
 * not reproduce its splits. `vocabSize` is the model's embedding rows (≥ the tokenizer's).
 */
export async function bpeTokenizerMetadata(
  dir: string,
  vocabSize: number,
  config: Record<string, unknown>,
  tokenizerConfig: Record<string, unknown>,
  warnings: string[],
): Promise<[string, GgufValue][] | null> {
  const file = join(dir, 'tokenizer.json');
  let spec: TokenizerJsonShape;
  try {
    // Only the shape is read here; loadTokenizer below validates the file itself.
    spec = JSON.parse(await readFile(file, 'utf8')) as TokenizerJsonShape;
  } catch (error) {
    throw weightFileError(file, `cannot read it as JSON (${(error as Error).message})`, 'restore the tokenizer.json, or remove it to export without a vocabulary');
  }
  const mapping = llamaCppPreTokenizer(spec, tokenizerConfig.clean_up_tokenization_spaces === true);
  if ('reason' in mapping) {
    warnings.push(`${file} is not embedded: ${mapping.reason}; the GGUF has no vocabulary`);
    return null;
  }
  const tokenizer = await loadTokenizer(dir);
  if (tokenizer.vocabSize > vocabSize) throw tokenizerMismatchError(file, tokenizer.vocabSize, vocabSize);
  const added = new Map((spec.added_tokens ?? []).map((token) => [token.id, token]));
  const tokens: string[] = [];
  const types: number[] = [];
  for (let id = 0; id < vocabSize; id++) {
    const token = id < tokenizer.vocabSize ? tokenizer.idToToken(id) : undefined;
    if (token === undefined || token === '') {
      tokens.push(`[PAD${id}]`);
      types.push(pieceTypes.unused);
      continue;
    }
    tokens.push(token);
    const addedToken = added.get(id);
    types.push(addedToken === undefined ? pieceTypes.normal : addedToken.special ? pieceTypes.control : pieceTypes.userDefined);
  }
  const id = (key: string, fallback: number | null) => (typeof config[key] === 'number' ? (config[key] as number) : fallback);
  const bos = id('bos_token_id', tokenizer.bosId);
  const eos = id('eos_token_id', tokenizer.eosId);
  const pad = id('pad_token_id', tokenizer.padId);
  // What chainlm's encode adds is what llama.cpp must add: ask the tokenizer itself.
  const withSpecials = tokenizer.encode('a');
  const without = tokenizer.encode('a', { addSpecialTokens: false });
  const addsBos = typeof tokenizerConfig.add_bos_token === 'boolean' ? tokenizerConfig.add_bos_token : withSpecials.length > without.length && withSpecials[0] === tokenizer.bosId;
  const addsEos = typeof tokenizerConfig.add_eos_token === 'boolean' ? tokenizerConfig.add_eos_token : withSpecials.length > without.length && withSpecials.at(-1) === tokenizer.eosId;
  const metadata: [string, GgufValue][] = [
    ['tokenizer.ggml.model', { type: 'string', value: 'gpt2' }],
    ['tokenizer.ggml.pre', { type: 'string', value: mapping.pre }],
    ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', value: tokens }],
    ['tokenizer.ggml.token_type', { type: 'array', itemType: 'i32', value: types }],
    ['tokenizer.ggml.merges', { type: 'array', itemType: 'string', value: mergeStrings(spec.model?.merges) }],
  ];
  if (bos !== null) metadata.push(['tokenizer.ggml.bos_token_id', { type: 'u32', value: bos }]);
  if (eos !== null) metadata.push(['tokenizer.ggml.eos_token_id', { type: 'u32', value: eos }]);
  if (pad !== null) metadata.push(['tokenizer.ggml.padding_token_id', { type: 'u32', value: pad }]);
  metadata.push(['tokenizer.ggml.add_bos_token', { type: 'bool', value: addsBos }], ['tokenizer.ggml.add_eos_token', { type: 'bool', value: addsEos }]);
  const template = await chatTemplate(dir, tokenizerConfig);
  if (template !== undefined) metadata.push(['tokenizer.chat_template', { type: 'string', value: template }]);
  return metadata;
}
