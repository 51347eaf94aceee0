/**
 * Loads what the server serves: an HF model folder (config.json + safetensors), or a
 * folder written by the engine's `saveQuantized` (quantized.json + quantized.bin,
 * e.g. by the pipeline's quantize stage), with its tokenizer and chat template when
 * the folder has them. `quant` quantizes a float folder at load (W8A16/W4A16,
 * group-wise; AWQ-scaled when calibration texts are given). `replicas` > 1 serves
 * through a ReplicaPool: N worker threads, each its own Engine on the same weights.
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import {
  Engine, ReplicaPool, createQuantizedModel, loadQuantized, quantizeModel, quantizedModelBytes, stepModelFrom, type EngineConfigInput, type QuantizedModel, type ServingEngine,
} from '@chainlm/engine';
import { createModel, loadChatTemplate, loadHfFolder, loadTokenizer, parseHfConfig, tokenizerFileNames, type Model, type ModelConfig, type Tokenizer } from '@chainlm/model';
import { ChainlmError } from '@chainlm/core';
import { initBackend } from '@chainlm/runtime';
import type { ServedModel, ServedQuantization } from './served-model.js';

export type QuantScheme = 'w4a16' | 'w8a16';

export interface QuantOptions {
  scheme: QuantScheme;
  /** Inputs per scale group (default 64). */
  groupSize?: number;
  /** AWQ: activation-aware scaling searched on these texts (needs a tokenizer). */
  calibrationTexts?: string[];
}

export interface LoadServedModelOptions {
  /** The name clients use; default the folder's name. */
  id?: string;
  engine?: EngineConfigInput;
  /** Quantize a float folder at load; a quantized folder is served as it is. */
  quant?: QuantOptions;
  /** Engines behind the server: 1 in this thread (default), or N worker threads (a ReplicaPool). */
  replicas?: number;
  /** Where a replica pool prints its memory plan (default stderr). */
  log?: (line: string) => void;
}

const calibrationTokens = 128;

/** Loads a model folder behind one in-thread engine, or behind `replicas` worker-thread engines. */
export async function loadServedModel(path: string, options: LoadServedModelOptions = {}): Promise<ServedModel> {
  // The fast backend (wasm here, tensorflow where installed) must be live before any weights become tensors.
  await initBackend();
  const dir = resolve(path);
  const replicas = options.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new ChainlmError('server-replicas', `replicas must be a positive integer, got ${replicas}`, { hint: 'use --replicas 1 (one in-thread engine) or more (one worker thread each, up to the cores you have)', exitCode: 2 });
  }
  const isQuantizedFolder = existsSync(join(dir, 'quantized.json'));
  if (isQuantizedFolder && options.quant) {
    throw new ChainlmError('server-quant-twice', `${dir} is already quantized (quantized.json); --quant applies to float folders`, { hint: 'drop --quant, or point at the float model folder', exitCode: 2 });
  }
  const tokenizer = hasTokenizer(dir) ? await loadTokenizer(dir) : undefined;
  const chatTemplate = tokenizer ? loadChatTemplate(dir, tokenizer, { fallback: 'chatml' }) : undefined;
  // Behind replicas a float folder is read by each worker itself; quantized weights
  // (a quantized folder, or --quant: quantized here, once) travel to the workers as a
  // structured clone.
  const weights = replicas > 1 && !isQuantizedFolder && !options.quant ? undefined : await loadWeights(dir, isQuantizedFolder, options.quant, tokenizer);
  let engine: ServingEngine;
  let config: ModelConfig;
  if (replicas === 1) {
    const model = weights!.quantized ? createQuantizedModel(weights!.quantized) : weights!.model!;
    engine = new Engine(stepModelFrom(model), { config: options.engine, tokenizer });
    config = model.config;
  } else {
    const pool = await ReplicaPool.create(replicas, { folder: dir, ...(weights?.quantized ? { quantized: weights.quantized } : {}) }, options.engine ?? {}, options.log ? { log: options.log } : {});
    engine = pool;
    config = pool.modelConfig;
  }
  return {
    id: options.id ?? basename(dir),
    engine,
    config,
    replicas,
    tokenizer,
    chatTemplate,
    contextLength: Math.min(engine.plan.tokensThatFit, options.engine?.maxModelLen ?? config.maxPositionEmbeddings),
    created: Math.floor(Date.now() / 1000),
    ownedBy: 'chainlm',
    root: dir,
    ...(weights?.quantization ? { quantization: weights.quantization } : {}),
  };
}

interface LoadedWeights {
  /** A float model in this thread (float folder, no --quant). */
  model?: Model;
  /** Quantized weights (a quantized folder, or --quant), not yet on the backend. */
  quantized?: QuantizedModel;
  quantization?: ServedQuantization;
}

/** The folder's weights in this thread: a float model, or quantized weights (read, or quantized here). */
async function loadWeights(dir: string, isQuantizedFolder: boolean, quant: QuantOptions | undefined, tokenizer: Tokenizer | undefined): Promise<LoadedWeights> {
  if (isQuantizedFolder) {
    const quantized = await loadQuantized(dir);
    return { quantized, quantization: summarize(quantized, false) };
  }
  const folder = await loadHfFolder(dir);
  const floatModel = createModel(parseHfConfig(folder.configJson, join(dir, 'config.json')), folder.weights);
  if (!quant) return { model: floatModel };
  const quantized = quantizeAtLoad(floatModel, quant, tokenizer, dir);
  floatModel.dispose();
  return { quantized, quantization: summarize(quantized, quantized.reports.length > 0) };
}

function hasTokenizer(dir: string): boolean {
  return tokenizerFileNames.slice(0, 3).some((name) => existsSync(join(dir, name)));
}

function quantizeAtLoad(model: Model, quant: QuantOptions, tokenizer: Tokenizer | undefined, dir: string): QuantizedModel {
  const texts = (quant.calibrationTexts ?? []).filter((text) => text.trim().length > 0);
  if (quant.calibrationTexts && texts.length === 0) {
    throw new ChainlmError('server-quant-calibration', 'the AWQ calibration file has no text', { hint: 'give a file with one calibration text per line', exitCode: 2 });
  }
  if (texts.length > 0 && !tokenizer) {
    throw new ChainlmError('server-quant-calibration', `${dir} has no tokenizer, so AWQ calibration texts cannot be tokenized`, { hint: 'drop --awq-calibration (plain group-wise quantization), or add the tokenizer files', exitCode: 2 });
  }
  const calibrationTokenIds = texts.map((text) => tokenizer!.encode(text, { addSpecialTokens: true }).slice(0, calibrationTokens)).filter((ids) => ids.length > 1);
  return quantizeModel(model, { bits: quant.scheme === 'w4a16' ? 4 : 8, groupSize: quant.groupSize ?? 64, ...(calibrationTokenIds.length > 0 ? { calibrationTokenIds } : {}) });
}

function summarize(quantized: QuantizedModel, awq: boolean): ServedQuantization {
  let floatBytes = 0;
  for (const matrix of quantized.matrices.values()) floatBytes += matrix.rows * matrix.cols * 4;
  for (const tensor of quantized.dense.values()) floatBytes += tensor.data.length * 4;
  const groupSize = quantized.matrices.values().next().value?.groupSize ?? 0;
  return { scheme: quantized.bits === 4 ? 'w4a16' : 'w8a16', groupSize, awq, storedBytes: quantizedModelBytes(quantized), floatBytes };
}

/** One line for the startup log: the memory the quantized weights save. */
export function describeQuantization(quantization: ServedQuantization): string {
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
  const saved = quantization.floatBytes - quantization.storedBytes;
  return (
    `${quantization.scheme}${quantization.awq ? ' (AWQ)' : ''}, group ${quantization.groupSize}: weights ${mib(quantization.storedBytes)} instead of ${mib(quantization.floatBytes)} ` +
    `float32 — ${mib(saved)} saved (${((saved / quantization.floatBytes) * 100).toFixed(0)}%); compute reads float32 weights dequantized once at load (the wasm backend has no int4/int8 kernels)`
  );
}
