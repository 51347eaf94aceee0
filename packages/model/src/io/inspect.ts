/**
 * What is in a checkpoint, from headers only (no tensor data is decoded): an HF
 * folder, a single .safetensors file, a llama2.c .bin or a .gguf file.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ChainlmError } from '@chainlm/core';
import { gguf, GGMLQuantizationType } from '@huggingface/gguf';
import { readHfFolderMeta } from './hf-folder.js';
import { readSafetensorsHeader } from './safetensors-read.js';
import { indexFileName, readShardIndex, singleFileName } from './safetensors-sharded.js';
import { readLlama2c } from './llama2c-read.js';
import { llama2cHfConfig } from './llama2c-import.js';
import type { SafetensorsEntry } from './safetensors-header.js';

export interface TensorSummary {
  name: string;
  shape: number[];
  dtype: string;
}

export interface InspectResult {
  path: string;
  format: 'hf-folder' | 'safetensors' | 'llama2c' | 'gguf';
  architecture: string | null;
  parameters: number;
  /** The one stored dtype, or e.g. "mixed (F32 2, F16 7)". */
  dtype: string;
  tensors: TensorSummary[];
  config?: Record<string, unknown>;
}

function summarize(path: string, format: InspectResult['format'], architecture: string | null, tensors: TensorSummary[], config?: Record<string, unknown>): InspectResult {
  const counts = new Map<string, number>();
  let parameters = 0;
  for (const tensor of tensors) {
    parameters += tensor.shape.reduce((product, size) => product * size, 1);
    counts.set(tensor.dtype, (counts.get(tensor.dtype) ?? 0) + 1);
  }
  const dtype = counts.size === 1 ? [...counts.keys()][0] : `mixed (${[...counts].map(([name, count]) => `${name} ${count}`).join(', ')})`;
  return { path, format, architecture, parameters, dtype, tensors, ...(config ? { config } : {}) };
}

const fromEntries = (entries: SafetensorsEntry[]): TensorSummary[] => entries.map((entry) => ({ name: entry.name, shape: entry.shape, dtype: entry.dtype }));

export async function inspectCheckpoint(path: string): Promise<InspectResult> {
  if (!existsSync(path)) throw new ChainlmError('weights-missing', `${path}: not found`, { hint: 'pass an HF model folder, a .safetensors, a llama2.c .bin or a .gguf file', exitCode: 2 });
  if (statSync(path).isDirectory()) return inspectFolder(path);
  if (path.endsWith('.safetensors')) return summarize(path, 'safetensors', null, fromEntries((await readSafetensorsHeader(path)).entries));
  if (path.endsWith('.gguf')) return inspectGguf(path);
  if (path.endsWith('.bin')) {
    const checkpoint = await readLlama2c(path, { weights: false });
    const tensors = checkpoint.tensors.map(({ name, shape }) => ({ name, shape, dtype: 'F32' }));
    return summarize(path, 'llama2c', 'LlamaForCausalLM', tensors, llama2cHfConfig(checkpoint.config));
  }
  throw new ChainlmError('weights-unsupported', `${path}: unknown checkpoint type`, { hint: 'use an HF folder, *.safetensors, a llama2.c *.bin or *.gguf', exitCode: 2 });
}

async function inspectFolder(dir: string): Promise<InspectResult> {
  const meta = await readHfFolderMeta(dir);
  const files = existsSync(join(dir, indexFileName)) ? [...(await readShardIndex(join(dir, indexFileName))).keys()] : [singleFileName];
  const tensors: TensorSummary[] = [];
  for (const file of files) tensors.push(...fromEntries((await readSafetensorsHeader(join(dir, file))).entries));
  const architectures = meta.configJson.architectures;
  const architecture = Array.isArray(architectures) && typeof architectures[0] === 'string' ? architectures[0] : typeof meta.configJson.model_type === 'string' ? meta.configJson.model_type : null;
  return summarize(dir, 'hf-folder', architecture, tensors, meta.configJson);
}

async function inspectGguf(path: string): Promise<InspectResult> {
  const parsed = await gguf(path, { allowLocalFile: true });
  const typeNames = GGMLQuantizationType as unknown as Record<number, string>;
  const tensors = parsed.tensorInfos.map((info) => ({ name: info.name, shape: info.shape.map(Number).reverse(), dtype: typeNames[info.dtype] ?? String(info.dtype) }));
  const metadata = parsed.metadata as Record<string, unknown>;
  const config = Object.fromEntries(Object.entries(metadata).filter(([key, value]) => !Array.isArray(value) && typeof value !== 'bigint'));
  return summarize(path, 'gguf', typeof metadata['general.architecture'] === 'string' ? (metadata['general.architecture'] as string) : null, tensors, config);
}
