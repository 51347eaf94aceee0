/**
 * One canonical weight naming (HF Llama's) for all architectures; each architecture
 * is a small rename map plus, for InternLM2, the packed wqkv conversion. Values stay
 * in HF layout here ([out, in] for linear weights); the model transposes on load.
 */
import { ChainlmError } from '@chainlm/core';
import type { NamedTensor, WeightMap } from '../io/types.js';
import { hasOutputBias, type ModelConfig } from '../config/index.js';

export const EMBEDDING = 'model.embed_tokens.weight';
export const FINAL_NORM = 'model.norm.weight';
export const LM_HEAD = 'lm_head.weight';
export const layerPrefix = (layer: number): string => `model.layers.${layer}.`;

/** Per-layer canonical suffixes. */
export const layerWeightSuffixes = {
  attentionNorm: 'input_layernorm.weight',
  q: 'self_attn.q_proj.weight',
  k: 'self_attn.k_proj.weight',
  v: 'self_attn.v_proj.weight',
  o: 'self_attn.o_proj.weight',
  qBias: 'self_attn.q_proj.bias',
  kBias: 'self_attn.k_proj.bias',
  vBias: 'self_attn.v_proj.bias',
  oBias: 'self_attn.o_proj.bias',
  mlpNorm: 'post_attention_layernorm.weight',
  gate: 'mlp.gate_proj.weight',
  up: 'mlp.up_proj.weight',
  down: 'mlp.down_proj.weight',
} as const;
export type LayerWeightKey = keyof typeof layerWeightSuffixes;

/** Canonical name → HF-layout shape, for exactly the tensors this config has. */
export function canonicalShapes(config: ModelConfig): Map<string, number[]> {
  const { hiddenSize: dim, vocabSize, intermediateSize: ffn } = config;
  const qSize = config.numHeads * config.headDim;
  const kvSize = config.numKvHeads * config.headDim;
  const shapes = new Map<string, number[]>([[EMBEDDING, [vocabSize, dim]]]);
  const perLayer: Partial<Record<LayerWeightKey, number[]>> = {
    attentionNorm: [dim], q: [qSize, dim], k: [kvSize, dim], v: [kvSize, dim], o: [dim, qSize],
    mlpNorm: [dim], gate: [ffn, dim], up: [ffn, dim], down: [dim, ffn],
  };
  if (config.attentionBias) Object.assign(perLayer, { qBias: [qSize], kBias: [kvSize], vBias: [kvSize] });
  if (hasOutputBias(config)) perLayer.oBias = [dim];
  for (let layer = 0; layer < config.numLayers; layer++) {
    for (const [key, shape] of Object.entries(perLayer)) shapes.set(layerPrefix(layer) + layerWeightSuffixes[key as LayerWeightKey], shape);
  }
  shapes.set(FINAL_NORM, [dim]);
  if (!config.tieWordEmbeddings) shapes.set(LM_HEAD, [vocabSize, dim]);
  return shapes;
}

const internlm2Renames: [RegExp, string][] = [
  [/^model\.tok_embeddings\.weight$/, EMBEDDING],
  [/^output\.weight$/, LM_HEAD],
  [/^model\.layers\.(\d+)\.attention_norm\.weight$/, 'model.layers.$1.input_layernorm.weight'],
  [/^model\.layers\.(\d+)\.ffn_norm\.weight$/, 'model.layers.$1.post_attention_layernorm.weight'],
  [/^model\.layers\.(\d+)\.attention\.wo\.(weight|bias)$/, 'model.layers.$1.self_attn.o_proj.$2'],
  [/^model\.layers\.(\d+)\.feed_forward\.w1\.weight$/, 'model.layers.$1.mlp.gate_proj.weight'],
  [/^model\.layers\.(\d+)\.feed_forward\.w3\.weight$/, 'model.layers.$1.mlp.up_proj.weight'],
  [/^model\.layers\.(\d+)\.feed_forward\.w2\.weight$/, 'model.layers.$1.mlp.down_proj.weight'],
];
const canonicalToInternlm2: [RegExp, string][] = [
  [/^model\.embed_tokens\.weight$/, 'model.tok_embeddings.weight'],
  [/^lm_head\.weight$/, 'output.weight'],
  [/^model\.layers\.(\d+)\.input_layernorm\.weight$/, 'model.layers.$1.attention_norm.weight'],
  [/^model\.layers\.(\d+)\.post_attention_layernorm\.weight$/, 'model.layers.$1.ffn_norm.weight'],
  [/^model\.layers\.(\d+)\.self_attn\.o_proj\.(weight|bias)$/, 'model.layers.$1.attention.wo.$2'],
  [/^model\.layers\.(\d+)\.mlp\.gate_proj\.weight$/, 'model.layers.$1.feed_forward.w1.weight'],
  [/^model\.layers\.(\d+)\.mlp\.up_proj\.weight$/, 'model.layers.$1.feed_forward.w3.weight'],
  [/^model\.layers\.(\d+)\.mlp\.down_proj\.weight$/, 'model.layers.$1.feed_forward.w2.weight'],
];
const WQKV = /^model\.layers\.(\d+)\.attention\.wqkv\.(weight|bias)$/;
const QKV = /^model\.layers\.(\d+)\.self_attn\.([qkv])_proj\.(weight|bias)$/;

function rename(name: string, rules: [RegExp, string][]): string {
  for (const [pattern, replacement] of rules) if (pattern.test(name)) return name.replace(pattern, replacement);
  return name;
}

/**
 * InternLM2's wqkv rows are grouped per kv head: for each kv head, its G query heads,
 * then its k head, then its v head (G = numHeads / numKvHeads), headDim rows each.
 * Returns the row-block index in wqkv of (kind, head).
 */
function packedBlock(config: ModelConfig, kind: 'q' | 'k' | 'v', head: number): number {
  const group = config.numHeads / config.numKvHeads;
  if (kind === 'q') return Math.floor(head / group) * (group + 2) + (head % group);
  return head * (group + 2) + group + (kind === 'k' ? 0 : 1);
}

function copyBlock(from: Float32Array, fromBlock: number, to: Float32Array, toBlock: number, blockSize: number): void {
  to.set(from.subarray(fromBlock * blockSize, (fromBlock + 1) * blockSize), toBlock * blockSize);
}

function unpackWqkv(config: ModelConfig, packed: NamedTensor, name: string): Record<'q' | 'k' | 'v', NamedTensor> {
  const rowSize = packed.shape.length === 2 ? packed.shape[1]! : 1;
  const blockSize = config.headDim * rowSize;
  const expectedRows = (config.numHeads + 2 * config.numKvHeads) * config.headDim;
  if (packed.shape[0] !== expectedRows) {
    throw new ChainlmError('weights-shape', `tensor "${name}" has ${packed.shape[0]} rows, expected (numHeads + 2·numKvHeads)·headDim = ${expectedRows}`, {
      hint: 'check num_attention_heads / num_key_value_heads in config.json against the checkpoint',
      exitCode: 2,
    });
  }
  const make = (heads: number): NamedTensor => ({
    shape: rowSize === 1 ? [heads * config.headDim] : [heads * config.headDim, rowSize],
    dtype: packed.dtype,
    data: new Float32Array(heads * blockSize),
  });
  const parts = { q: make(config.numHeads), k: make(config.numKvHeads), v: make(config.numKvHeads) };
  for (const kind of ['q', 'k', 'v'] as const) {
    const heads = kind === 'q' ? config.numHeads : config.numKvHeads;
    for (let head = 0; head < heads; head++) copyBlock(packed.data, packedBlock(config, kind, head), parts[kind].data, head, blockSize);
  }
  return parts;
}

function packWqkv(config: ModelConfig, parts: Record<'q' | 'k' | 'v', NamedTensor>): NamedTensor {
  const rowSize = parts.q.shape.length === 2 ? parts.q.shape[1]! : 1;
  const blockSize = config.headDim * rowSize;
  const rows = (config.numHeads + 2 * config.numKvHeads) * config.headDim;
  const packed: NamedTensor = { shape: rowSize === 1 ? [rows] : [rows, rowSize], dtype: parts.q.dtype, data: new Float32Array(rows * rowSize) };
  for (const kind of ['q', 'k', 'v'] as const) {
    const heads = kind === 'q' ? config.numHeads : config.numKvHeads;
    for (let head = 0; head < heads; head++) copyBlock(parts[kind].data, head, packed.data, packedBlock(config, kind, head), blockSize);
  }
  return packed;
}

/** Architecture names → canonical names (InternLM2's wqkv split into q/k/v). */
export function toCanonicalWeights(config: ModelConfig, weights: WeightMap): WeightMap {
  if (config.architecture !== 'internlm2') return weights;
  const canonical: WeightMap = new Map();
  for (const [name, tensor] of weights) {
    const packed = WQKV.exec(name);
    if (!packed) {
      canonical.set(rename(name, internlm2Renames), tensor);
      continue;
    }
    const parts = unpackWqkv(config, tensor, name);
    for (const kind of ['q', 'k', 'v'] as const) canonical.set(`model.layers.${packed[1]}.self_attn.${kind}_proj.${packed[2]}`, parts[kind]);
  }
  return canonical;
}

/** Canonical names → this architecture's names (q/k/v packed into wqkv for InternLM2). */
export function fromCanonicalWeights(config: ModelConfig, canonical: WeightMap): WeightMap {
  if (config.architecture !== 'internlm2') return canonical;
  const weights: WeightMap = new Map();
  for (const [name, tensor] of canonical) {
    const split = QKV.exec(name);
    if (!split) {
      weights.set(rename(name, canonicalToInternlm2), tensor);
      continue;
    }
    if (split[2] !== 'q') continue;
    const [layer, kind] = [split[1], split[3]];
    const part = (which: string): NamedTensor => canonical.get(`model.layers.${layer}.self_attn.${which}_proj.${kind}`)!;
    weights.set(`model.layers.${layer}.attention.wqkv.${kind}`, packWqkv(config, { q: part('q'), k: part('k'), v: part('v') }));
  }
  return weights;
}
