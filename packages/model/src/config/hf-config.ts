/**
 * HF `config.json` ⇄ ModelConfig. HF files carry many keys we do not need (they are
 * a file format, so unknown keys are tolerated); every key that changes the numbers
 * is read, and a value we cannot reproduce (another activation, sliding-window
 * attention, yarn rope) is an error naming the key, never a silent approximation.
 */
import { z } from 'zod';
import { ConfigError, validateConfig } from '@chainlm/core';
import { validateModelConfig, type Architecture, type ModelConfig, type RopeScaling } from './model-config.js';

const architectureByName: Record<string, Architecture> = {
  LlamaForCausalLM: 'llama',
  llama: 'llama',
  InternLMForCausalLM: 'internlm',
  internlm: 'internlm',
  InternLM2ForCausalLM: 'internlm2',
  internlm2: 'internlm2',
  Qwen2ForCausalLM: 'qwen2',
  qwen2: 'qwen2',
};

const hfClassName: Record<Architecture, string> = {
  llama: 'LlamaForCausalLM',
  internlm: 'InternLMForCausalLM',
  internlm2: 'InternLM2ForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
};

const int = z.number().int().positive();
const tokenId = z.number().int().nonnegative().nullable();
/** The keys we read, typed; everything else passes through untouched. */
const hfConfigSchema = z.looseObject({
  architectures: z.array(z.string()).optional(),
  model_type: z.string().optional(),
  vocab_size: int,
  hidden_size: int,
  intermediate_size: int,
  num_hidden_layers: int,
  num_attention_heads: int,
  num_key_value_heads: int.nullable().optional(),
  head_dim: int.nullable().optional(),
  max_position_embeddings: int.optional(),
  rms_norm_eps: z.number().positive().optional(),
  rope_theta: z.number().positive().optional(),
  rope_scaling: z.looseObject({ type: z.string().optional(), rope_type: z.string().optional(), factor: z.number().positive().optional() }).nullable().optional(),
  rotary: z.looseObject({ base: z.number().positive().optional(), type: z.string().optional(), scaling_factor: z.number().positive().optional() }).optional(),
  tie_word_embeddings: z.boolean().optional(),
  attention_bias: z.boolean().optional(),
  bias: z.boolean().optional(),
  mlp_bias: z.boolean().optional(),
  hidden_act: z.string().optional(),
  use_sliding_window: z.boolean().optional(),
  bos_token_id: tokenId.optional(),
  eos_token_id: z.union([tokenId, z.array(z.number().int().nonnegative())]).optional(),
});
type HfConfig = z.infer<typeof hfConfigSchema>;

function unsupported(source: string, key: string, message: string): ConfigError {
  return new ConfigError(source, [{ path: key, message }]);
}

function detectArchitecture(hf: HfConfig, source: string): Architecture {
  for (const name of [...(hf.architectures ?? []), hf.model_type ?? '']) {
    const architecture = architectureByName[name];
    if (architecture) return architecture;
  }
  const found = hf.architectures?.join(', ') ?? hf.model_type ?? 'nothing';
  throw unsupported(source, 'architectures', `unsupported architecture (found ${found}); supported: ${Object.values(hfClassName).join(', ')}`);
}

function readRopeScaling(hf: HfConfig, architecture: Architecture, source: string): RopeScaling | null {
  if (architecture === 'internlm' && hf.rotary) {
    const type = hf.rotary.type ?? 'origin';
    if (type === 'origin') return null;
    if (type === 'dynamic') return { type: 'dynamic', factor: hf.rotary.scaling_factor ?? 1 };
    throw unsupported(source, 'rotary.type', `unsupported rotary type "${type}"; InternLM supports "origin" and "dynamic"`);
  }
  const scaling = hf.rope_scaling;
  if (!scaling) return null;
  const type = scaling.rope_type ?? scaling.type ?? 'default';
  if (type === 'default') return null;
  if (type !== 'linear' && type !== 'dynamic') {
    throw unsupported(source, 'rope_scaling.type', `unsupported rope scaling "${type}"; supported: linear, dynamic`);
  }
  if (scaling.factor === undefined) throw unsupported(source, 'rope_scaling.factor', `rope_scaling of type ${type} needs a factor`);
  return { type, factor: scaling.factor };
}

function readAttentionBias(hf: HfConfig, architecture: Architecture): boolean {
  switch (architecture) {
    case 'llama':
      return hf.attention_bias ?? false;
    case 'internlm':
    case 'internlm2':
      // Both InternLM configs default `bias` to true when the key is absent.
      return hf.bias ?? true;
    case 'qwen2':
      return true;
  }
}

/** Parses an HF config.json object; `source` (the file path) is named in errors. */
export function parseHfConfig(json: unknown, source = 'config.json'): ModelConfig {
  const hf = validateConfig(json, hfConfigSchema, source) as HfConfig;
  const architecture = detectArchitecture(hf, source);
  if (hf.hidden_act !== undefined && hf.hidden_act !== 'silu') {
    throw unsupported(source, 'hidden_act', `unsupported activation "${hf.hidden_act}"; only "silu" (SwiGLU) is implemented`);
  }
  if (hf.mlp_bias) throw unsupported(source, 'mlp_bias', 'MLP biases are not implemented; mlp_bias must be false');
  if (hf.use_sliding_window) {
    throw unsupported(source, 'use_sliding_window', 'sliding-window attention is not implemented; set use_sliding_window to false');
  }
  const numHeads = hf.num_attention_heads;
  return validateModelConfig(
    {
      architecture,
      vocabSize: hf.vocab_size,
      hiddenSize: hf.hidden_size,
      intermediateSize: hf.intermediate_size,
      numLayers: hf.num_hidden_layers,
      numHeads,
      numKvHeads: hf.num_key_value_heads ?? numHeads,
      headDim: hf.head_dim ?? hf.hidden_size / numHeads,
      maxPositionEmbeddings: hf.max_position_embeddings ?? 2048,
      rmsNormEps: hf.rms_norm_eps ?? 1e-6,
      ropeTheta: (architecture === 'internlm' ? hf.rotary?.base : undefined) ?? hf.rope_theta ?? 10000,
      ropeScaling: readRopeScaling(hf, architecture, source),
      tieWordEmbeddings: hf.tie_word_embeddings ?? false,
      attentionBias: readAttentionBias(hf, architecture),
      bosTokenId: hf.bos_token_id ?? null,
      eosTokenId: hf.eos_token_id ?? null,
    },
    source,
  );
}

/** The HF config.json object for a ModelConfig (what HF's own classes read back). */
export function toHfConfig(config: ModelConfig): Record<string, unknown> {
  const scaling = config.ropeScaling ? { type: config.ropeScaling.type, factor: config.ropeScaling.factor } : null;
  const hf: Record<string, unknown> = {
    architectures: [hfClassName[config.architecture]],
    model_type: config.architecture,
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_hidden_layers: config.numLayers,
    num_attention_heads: config.numHeads,
    num_key_value_heads: config.numKvHeads,
    max_position_embeddings: config.maxPositionEmbeddings,
    rms_norm_eps: config.rmsNormEps,
    hidden_act: 'silu',
    rope_theta: config.ropeTheta,
    rope_scaling: scaling,
    tie_word_embeddings: config.tieWordEmbeddings,
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenId,
    torch_dtype: 'float32',
  };
  if (config.headDim * config.numHeads !== config.hiddenSize) hf.head_dim = config.headDim;
  switch (config.architecture) {
    case 'llama':
      hf.attention_bias = config.attentionBias;
      hf.mlp_bias = false;
      break;
    case 'internlm':
      hf.bias = config.attentionBias;
      hf.rotary = { base: config.ropeTheta, type: scaling ? 'dynamic' : 'origin', ...(scaling ? { scaling_factor: scaling.factor } : {}) };
      break;
    case 'internlm2':
      hf.bias = config.attentionBias;
      break;
    case 'qwen2':
      hf.use_sliding_window = false;
      hf.sliding_window = config.maxPositionEmbeddings;
      hf.max_window_layers = config.numLayers;
      break;
  }
  return hf;
}
