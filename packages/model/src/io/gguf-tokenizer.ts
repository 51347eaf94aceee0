/**
 * The tokenizer block of a GGUF file. A SentencePiece `tokenizer.model` or a llama2.c
 * `tokenizer.bin` becomes tokenizer.ggml.model = "llama" with its pieces, scores and
 * piece types; a byte-level BPE `tokenizer.json` becomes "gpt2" (gguf-bpe-vocab.ts).
 * A vocabulary shorter than the model's embedding is padded with unused "[PAD{id}]"
 * tokens as convert_hf_to_gguf.py does. Without one of those files (or with a
 * tokenizer.json llama.cpp could not split the same way) the file says "no_vocab",
 * which llama.cpp loads as a model without a tokenizer.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bpeTokenizerMetadata, tokenizerMismatchError } from './gguf-bpe-vocab.js';
import { pieceTypes } from '../tokenizer/sentencepiece-model.js';
import { readVocabFile } from './tokenizer-vocab.js';
import type { GgufValue } from './gguf-writer.js';
import type { LlamaHyperparameters } from './gguf-hparams.js';

export type GgufTokenizerKind = 'llama' | 'gpt2' | 'none';

export async function tokenizerMetadata(
  dir: string,
  hparams: LlamaHyperparameters,
  config: Record<string, unknown>,
  tokenizerConfig: Record<string, unknown>,
  warnings: string[],
): Promise<{ kind: GgufTokenizerKind; metadata: [string, GgufValue][] }> {
  const source = ['tokenizer.model', 'tokenizer.bin'].map((name) => join(dir, name)).find((path) => existsSync(path));
  if (!source) {
    const bpe = existsSync(join(dir, 'tokenizer.json')) ? await bpeTokenizerMetadata(dir, hparams.vocabSize, config, tokenizerConfig, warnings) : null;
    if (bpe) return { kind: 'gpt2', metadata: bpe };
    return { kind: 'none', metadata: [['tokenizer.ggml.model', { type: 'string', value: 'no_vocab' }]] };
  }
  const vocab = await readVocabFile(source);
  if (vocab.pieces.length > hparams.vocabSize) throw tokenizerMismatchError(source, vocab.pieces.length, hparams.vocabSize);
  const pieces = [...vocab.pieces];
  const scores = [...vocab.scores];
  const types = [...vocab.types];
  for (let id = pieces.length; id < hparams.vocabSize; id++) {
    pieces.push(`[PAD${id}]`);
    scores.push(0);
    types.push(pieceTypes.unused);
  }
  const id = (key: string, fallback: number) => (typeof config[key] === 'number' ? (config[key] as number) : fallback);
  const metadata: [string, GgufValue][] = [
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    // SentencePiece needs no pre-tokenizer; convert_hf_to_gguf.py writes "default" too.
    ['tokenizer.ggml.pre', { type: 'string', value: 'default' }],
    ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', value: pieces }],
    ['tokenizer.ggml.scores', { type: 'array', itemType: 'f32', value: scores }],
    ['tokenizer.ggml.token_type', { type: 'array', itemType: 'i32', value: types }],
    ['tokenizer.ggml.bos_token_id', { type: 'u32', value: id('bos_token_id', vocab.bosId) }],
    ['tokenizer.ggml.eos_token_id', { type: 'u32', value: id('eos_token_id', vocab.eosId) }],
    ['tokenizer.ggml.unknown_token_id', { type: 'u32', value: vocab.unkId }],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: tokenizerConfig.add_bos_token !== false }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: tokenizerConfig.add_eos_token === true }],
  ];
  if (typeof tokenizerConfig.chat_template === 'string') metadata.push(['tokenizer.chat_template', { type: 'string', value: tokenizerConfig.chat_template }]);
  return { kind: 'llama', metadata };
}
