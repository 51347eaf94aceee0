/**
 * llama2.c `.bin` → HF Llama folder: config.json (LlamaForCausalLM, BOS 1 / EOS 2 as
 * llama2.c's SentencePiece tokenizers use), generation_config.json,
 * model.safetensors (float32, q/k already in HF's rotate_half layout) and, when
 * given, the tokenizer copied in as tokenizer.model or tokenizer.bin.
 */
import { extname, join } from 'node:path';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { ChainlmError } from '@chainlm/core';
import { readLlama2c, type Llama2cConfig } from './llama2c-read.js';
import { readVocabFile } from './tokenizer-vocab.js';
import { saveHfFolder } from './hf-folder.js';

export function llama2cHfConfig(config: Llama2cConfig): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    hidden_size: config.dim,
    intermediate_size: config.hiddenDim,
    num_hidden_layers: config.layers,
    num_attention_heads: config.heads,
    num_key_value_heads: config.kvHeads,
    vocab_size: config.vocabSize,
    max_position_embeddings: config.seqLen,
    // llama2.c's model.py RMSNorm default (ModelArgs.norm_eps).
    rms_norm_eps: 1e-5,
    rope_theta: config.ropeTheta,
    tie_word_embeddings: config.sharedClassifier,
    hidden_act: 'silu',
    attention_bias: false,
    mlp_bias: false,
    initializer_range: 0.02,
    bos_token_id: 1,
    eos_token_id: 2,
  };
}

export interface ImportLlama2cResult {
  outDir: string;
  config: Llama2cConfig;
  files: string[];
  parameters: number;
  warnings: string[];
}

export async function importLlama2c(file: string, outDir: string, options: { tokenizer?: string } = {}): Promise<ImportLlama2cResult> {
  const checkpoint = await readLlama2c(file);
  const tokenizerFiles: string[] = [];
  let staging: string | undefined;
  try {
    if (options.tokenizer) {
      staging = await mkdtemp(join(tmpdir(), 'chainlm-import-'));
      tokenizerFiles.push(...(await stageTokenizer(options.tokenizer, checkpoint.config.vocabSize, staging)));
    }
    const files = await saveHfFolder(outDir, {
      configJson: llama2cHfConfig(checkpoint.config),
      generationConfig: { _from_model_config: true, bos_token_id: 1, eos_token_id: 2 },
      weights: checkpoint.weights,
      dtype: 'F32',
      tokenizerFiles,
    });
    let parameters = 0;
    for (const tensor of checkpoint.weights.values()) parameters += tensor.data.length;
    return { outDir, config: checkpoint.config, files, parameters, warnings: checkpoint.warnings };
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Copies the tokenizer under its HF name after checking it against the model's
 * vocabulary size; a SentencePiece model also gets a tokenizer_config.json so HF's
 * LlamaTokenizer and our loader agree on BOS/EOS handling.
 */
async function stageTokenizer(source: string, vocabSize: number, staging: string): Promise<string[]> {
  const extension = extname(source);
  if (extension === '.json') {
    const target = join(staging, 'tokenizer.json');
    await copyFile(source, target);
    return [target];
  }
  const vocab = await readVocabFile(source);
  if (vocab.pieces.length !== vocabSize) {
    throw new ChainlmError('tokenizer-mismatch', `${source}: tokenizer has ${vocab.pieces.length} tokens but the model's vocab_size is ${vocabSize}`, {
      hint: 'pass the tokenizer the checkpoint was trained with',
      exitCode: 2,
    });
  }
  const target = join(staging, vocab.kind === 'sentencepiece' ? 'tokenizer.model' : 'tokenizer.bin');
  await copyFile(source, target);
  if (vocab.kind !== 'sentencepiece') return [target];
  const config = join(staging, 'tokenizer_config.json');
  const pieces = vocab.pieces;
  await writeFile(
    config,
    `${JSON.stringify({ tokenizer_class: 'LlamaTokenizer', add_bos_token: true, add_eos_token: false, bos_token: pieces[vocab.bosId], eos_token: pieces[vocab.eosId], unk_token: pieces[vocab.unkId] }, null, 2)}\n`,
  );
  return [target, config];
}

