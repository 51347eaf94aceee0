/**
 * The llama.* hyperparameter block of a GGUF file, read from an HF Llama config.json
 * with transformers' LlamaConfig defaults (rms_norm_eps 1e-6, rope_theta 10000,
 * num_key_value_heads = num_attention_heads, tie_word_embeddings false).
 */
import { ChainlmError } from '@chainlm/core';
import type { GgufValue } from './gguf-writer.js';

export interface LlamaHyperparameters {
  heads: number;
  kvHeads: number;
  vocabSize: number;
  tied: boolean;
  metadata: [string, GgufValue][];
}

function configError(file: string, key: string, message: string): ChainlmError {
  return new ChainlmError('gguf-unsupported', `${file}: ${key}: ${message}`, { hint: 'GGUF export takes an HF LlamaForCausalLM folder; fix config.json', exitCode: 2 });
}

export function llamaHyperparameters(file: string, config: Record<string, unknown>): LlamaHyperparameters {
  const architectures = Array.isArray(config.architectures) ? config.architectures : [];
  if (!architectures.includes('LlamaForCausalLM') && config.model_type !== 'llama') {
    throw configError(file, 'architectures', `${JSON.stringify(config.architectures ?? config.model_type ?? null)} is not LlamaForCausalLM (the only architecture GGUF export writes)`);
  }
  const integer = (key: string, fallback?: number): number => {
    const value = config[key] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) throw configError(file, key, `expected a positive integer, got ${JSON.stringify(config[key])}`);
    return value;
  };
  const number = (key: string, fallback: number): number => {
    const value = config[key] ?? fallback;
    if (typeof value !== 'number' || !(value > 0)) throw configError(file, key, `expected a positive number, got ${JSON.stringify(config[key])}`);
    return value;
  };
  if (config.attention_bias === true || config.mlp_bias === true) throw configError(file, config.attention_bias === true ? 'attention_bias' : 'mlp_bias', 'biases are not part of the GGUF llama layout');
  const hidden = integer('hidden_size');
  const heads = integer('num_attention_heads');
  const kvHeads = integer('num_key_value_heads', heads);
  const headDim = integer('head_dim', hidden / heads);
  const vocabSize = integer('vocab_size');
  const metadata: [string, GgufValue][] = [
    ['llama.vocab_size', { type: 'u32', value: vocabSize }],
    ['llama.context_length', { type: 'u32', value: integer('max_position_embeddings') }],
    ['llama.embedding_length', { type: 'u32', value: hidden }],
    ['llama.block_count', { type: 'u32', value: integer('num_hidden_layers') }],
    ['llama.feed_forward_length', { type: 'u32', value: integer('intermediate_size') }],
    ['llama.rope.dimension_count', { type: 'u32', value: headDim }],
    ['llama.attention.head_count', { type: 'u32', value: heads }],
    ['llama.attention.head_count_kv', { type: 'u32', value: kvHeads }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: number('rms_norm_eps', 1e-6) }],
    ['llama.rope.freq_base', { type: 'f32', value: number('rope_theta', 10000) }],
  ];
  const scaling = config.rope_scaling as { type?: string; rope_type?: string; factor?: number } | null | undefined;
  if (scaling) {
    const kind = scaling.rope_type ?? scaling.type;
    if (kind !== 'linear' || typeof scaling.factor !== 'number') {
      throw configError(file, 'rope_scaling', `${JSON.stringify(scaling)} cannot be expressed in GGUF llama metadata here (only {"type": "linear", "factor": N})`);
    }
    metadata.push(['llama.rope.scaling.type', { type: 'string', value: 'linear' }], ['llama.rope.scaling.factor', { type: 'f32', value: scaling.factor }]);
  }
  return { heads, kvHeads, vocabSize, tied: config.tie_word_embeddings === true, metadata };
}
