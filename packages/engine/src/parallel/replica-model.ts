/**
 * What a replica runs: its model (from a preset, an HF folder, a quantized.json
 * folder, or weights the front quantized) and the folder's tokenizer — the same
 * files `chainlm-serve` reads for one in-thread engine, so replicas detokenize and
 * match stop strings exactly as it does. Also the error form that crosses threads.
 */
import { ChainlmError } from '@chainlm/core';
import { createModel, folderHasTokenizer, loadTokenizer, presetConfig, type Model, type Tokenizer } from '@chainlm/model';
import { loadFloatModel, modelFolderKind } from '../load/model-folder.js';
import { createQuantizedModel } from '../quant/quantize-model.js';
import { loadQuantized } from '../quant/quantized-io.js';
import type { ReplicaModelSpec, WireError } from './replica-messages.js';

export async function buildReplicaModel(spec: ReplicaModelSpec): Promise<{ model: Model; tokenizer?: Tokenizer }> {
  if ('preset' in spec) return { model: createModel(presetConfig(spec.preset), undefined, { seed: spec.seed }) };
  const tokenizer = folderHasTokenizer(spec.folder) ? await loadTokenizer(spec.folder) : undefined;
  if (spec.quantized) return { model: createQuantizedModel(spec.quantized), tokenizer };
  if (modelFolderKind(spec.folder) === 'quantized') return { model: createQuantizedModel(await loadQuantized(spec.folder)), tokenizer };
  return { model: await loadFloatModel(spec.folder), tokenizer };
}

export function toWireError(error: unknown): WireError {
  if (error instanceof ChainlmError) return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}), exitCode: error.exitCode };
  return { code: 'engine-replica-internal', message: error instanceof Error ? error.message : String(error) };
}

export function fromWireError(wire: WireError): ChainlmError {
  return new ChainlmError(wire.code, wire.message, { ...(wire.hint ? { hint: wire.hint } : {}), exitCode: wire.exitCode === 2 ? 2 : 1 });
}
