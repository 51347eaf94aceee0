/**
 * HF Llama folder → GGUF that llama.cpp loads, following convert_hf_to_gguf.py:
 * llama.* hyperparameters, tensors renamed (token_embd, blk.N.attn_q, …), q/k rows
 * permuted back from HF's rotate_half layout to Meta's interleaved one (llama.cpp
 * applies RoPE to adjacent pairs), 1-D norms kept f32, and under q8_0 / q4_0 any matrix
 * whose rows are not a multiple of 32 falls back to f16 as the reference converter does.
 * Under q4_0 the output matrix (token_embd when tied, since it is then the output too)
 * is stored q8_0: llama-quantize keeps it at higher precision (Q6_K) for the same
 * reason — 4-bit logits cost the most quality for the fewest bytes.
 * A tied model gets no output.weight (llama.cpp reuses token_embd).
 */
import { basename, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ChainlmError } from '@chainlm/core';
import { loadHfFolder, readJsonObject } from './hf-folder.js';
import { hfToMetaRows } from './rope-permute.js';
import { blockByteLength, quantizeQ4_0, quantizeQ8_0, q8BlockValues } from '../quant/ggml-blocks.js';
import { encodeTensor } from './safetensors-write.js';
import { writeGguf, type GgmlTypeName, type GgufTensor, type GgufValue } from './gguf-writer.js';
import { llamaHyperparameters, type LlamaHyperparameters } from './gguf-hparams.js';
import { tokenizerMetadata, type GgufTokenizerKind } from './gguf-tokenizer.js';
import type { NamedTensor, WeightMap } from './types.js';

export type GgufExportType = 'f32' | 'f16' | 'q8_0' | 'q4_0';
export const ggufExportTypes: readonly GgufExportType[] = ['f32', 'f16', 'q8_0', 'q4_0'];

/** general.file_type (llama.h enum llama_ftype). */
const fileTypes: Record<GgufExportType, number> = { f32: 0, f16: 1, q8_0: 7, q4_0: 2 };

const layerNames: Record<string, string> = {
  'input_layernorm.weight': 'attn_norm.weight',
  'self_attn.q_proj.weight': 'attn_q.weight',
  'self_attn.k_proj.weight': 'attn_k.weight',
  'self_attn.v_proj.weight': 'attn_v.weight',
  'self_attn.o_proj.weight': 'attn_output.weight',
  'post_attention_layernorm.weight': 'ffn_norm.weight',
  'mlp.gate_proj.weight': 'ffn_gate.weight',
  'mlp.up_proj.weight': 'ffn_up.weight',
  'mlp.down_proj.weight': 'ffn_down.weight',
};
const topNames: Record<string, string> = { 'model.embed_tokens.weight': 'token_embd.weight', 'model.norm.weight': 'output_norm.weight', 'lm_head.weight': 'output.weight' };

/** HF tensor name → GGUF name; undefined for tensors llama.cpp derives itself (rotary inv_freq). */
export function ggufTensorName(name: string): string | undefined {
  if (name in topNames) return topNames[name];
  const match = /^model\.layers\.(\d+)\.(.+)$/.exec(name);
  if (match && match[2] in layerNames) return `blk.${match[1]}.${layerNames[match[2]]}`;
  if (name.endsWith('rotary_emb.inv_freq')) return undefined;
  throw new ChainlmError('gguf-unsupported', `tensor "${name}" has no GGUF llama equivalent`, { hint: 'only plain Llama checkpoints (no biases, no extra modules) can be exported', exitCode: 2 });
}

/** Stored ggml type of one tensor under the requested export type; `isOutput`: the matrix that makes the logits. */
export function ggufTypeFor(shape: number[], type: GgufExportType, isOutput = false): GgmlTypeName {
  if (shape.length < 2 || type === 'f32') return 'F32';
  if (type === 'f16' || shape[shape.length - 1] % q8BlockValues !== 0) return 'F16';
  return type === 'q4_0' && !isOutput ? 'Q4_0' : 'Q8_0';
}

function ggufTensor(name: string, tensor: NamedTensor, type: GgmlTypeName, hparams: LlamaHyperparameters): GgufTensor {
  const elements = tensor.data.length;
  const byteLength = type === 'F32' ? elements * 4 : type === 'F16' ? elements * 2 : blockByteLength(type, elements);
  return {
    name,
    shape: tensor.shape,
    type,
    byteLength,
    encode() {
      let data = tensor.data;
      // llama.cpp rotates interleaved pairs: undo HF's q/k row permutation.
      const [rows, columns] = tensor.shape;
      if (name.endsWith('.attn_q.weight')) data = hfToMetaRows(data, hparams.heads, rows, columns);
      else if (name.endsWith('.attn_k.weight')) data = hfToMetaRows(data, hparams.kvHeads, rows, columns);
      if (type === 'Q8_0') return quantizeQ8_0(data);
      if (type === 'Q4_0') return quantizeQ4_0(data);
      return encodeTensor({ ...tensor, data }, type === 'F32' ? 'F32' : 'F16');
    },
  };
}

export interface GgufExportResult {
  file: string;
  bytes: number;
  type: GgufExportType;
  tensors: { name: string; shape: number[]; type: GgmlTypeName }[];
  tokenizer: GgufTokenizerKind;
  warnings: string[];
}

export async function exportGguf(dir: string, file: string, type: GgufExportType): Promise<GgufExportResult> {
  if (existsSync(join(dir, 'quantized.json')) && !existsSync(join(dir, 'config.json'))) {
    // The engine's int4 is asymmetric (a zero point per group, optional AWQ column
    // scales): Q4_0 cannot hold it, and its reader is the engine's, which model must not import.
    throw new ChainlmError('gguf-unsupported', `${join(dir, 'quantized.json')}: a chainlm-quantized folder cannot be exported to GGUF`, {
      hint: 'export the float folder it was quantized from, with --type q8_0 or --type q4_0 (ggml block quantization)',
      exitCode: 2,
    });
  }
  const folder = await loadHfFolder(dir);
  const hparams = llamaHyperparameters(join(dir, 'config.json'), folder.configJson);
  const warnings: string[] = [];
  const tokenizerConfigPath = join(dir, 'tokenizer_config.json');
  const tokenizerConfig = existsSync(tokenizerConfigPath) ? await readJsonObject(tokenizerConfigPath) : {};
  const tokenizer = await tokenizerMetadata(dir, hparams, folder.configJson, tokenizerConfig, warnings);
  const name = basename(resolve(dir));
  const metadata: [string, GgufValue][] = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: name }],
    ['general.file_type', { type: 'u32', value: fileTypes[type] }],
    ['general.quantization_version', { type: 'u32', value: 2 }],
    ['general.alignment', { type: 'u32', value: 32 }],
    ...hparams.metadata,
    ...tokenizer.metadata,
  ];
  const tensors = ggufTensors(folder.weights, type, hparams);
  const bytes = await writeGguf(file, metadata, tensors);
  return {
    file,
    bytes,
    type,
    tensors: tensors.map((tensor) => ({ name: tensor.name, shape: tensor.shape, type: tensor.type })),
    tokenizer: tokenizer.kind,
    warnings,
  };
}

function ggufTensors(weights: WeightMap, type: GgufExportType, hparams: LlamaHyperparameters): GgufTensor[] {
  const tensors: GgufTensor[] = [];
  for (const [hfName, tensor] of weights) {
    const name = ggufTensorName(hfName);
    if (name === undefined) continue;
    if (name === 'output.weight' && hparams.tied) continue;
    const isOutput = name === 'output.weight' || (name === 'token_embd.weight' && hparams.tied);
    tensors.push(ggufTensor(name, tensor, ggufTypeFor(tensor.shape, type, isOutput), hparams));
  }
  return tensors;
}
