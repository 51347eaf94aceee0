/**
 * Model folder → running engine: the one loader behind `chainlm-serve` and
 * `chainlm-eval` (and anything else that runs a model folder). MODEL is an HF model
 * folder (config.json + safetensors) or a folder written by `saveQuantized`
 * (quantized.json + quantized.bin), with its tokenizer and chat template when it has
 * them. `quant` quantizes a float folder at load; `adapter` folds a PEFT LoRA folder
 * into the float weights first; `replicas` > 1 runs a ReplicaPool (N worker threads,
 * each its own Engine on the same weights). A training run or checkpoint folder is
 * refused with the `chainlm-train export` command that makes a model of it.
 */
import { resolve } from 'node:path';
import { folderHasTokenizer, loadChatTemplate, loadTokenizer, type ChatTemplate, type Model, type ModelConfig, type Tokenizer } from '@chainlm/model';
import { initBackend } from '@chainlm/runtime';
import type { EngineConfigInput } from '../config/engine-config.js';
import { Engine } from '../engine/engine.js';
import { EngineError } from '../errors.js';
import { stepModelFrom } from '../model/step-model.js';
import { ReplicaPool } from '../parallel/replica-pool.js';
import { createQuantizedModel, type QuantizedModel } from '../quant/quantize-model.js';
import { loadQuantized } from '../quant/quantized-io.js';
import type { ServingEngine } from '../serving-engine.js';
import { loadFloatModel, modelFolderKind } from './model-folder.js';
import { quantizeAtLoad, summarizeQuantization, type QuantOptions, type WeightQuantization } from './quantize-at-load.js';

export interface LoadEngineOptions {
  engine?: EngineConfigInput;
  /** Quantize a float folder at load; a quantized folder runs as it is. */
  quant?: QuantOptions;
  /** A PEFT LoRA adapter folder folded into the weights before the engine starts (float folders, one engine). */
  adapter?: string;
  /** Engines: 1 in this thread (default), or N worker threads (a ReplicaPool). */
  replicas?: number;
  /** Where a replica pool prints its memory plan (default stderr). */
  log?: (line: string) => void;
}

export interface LoadedEngine {
  /** The folder, resolved. */
  dir: string;
  /** One in-thread Engine, or a ReplicaPool of worker-thread engines. */
  engine: ServingEngine;
  config: ModelConfig;
  replicas: number;
  tokenizer?: Tokenizer;
  /** The folder's chat template (ChatML when it names none), when it has a tokenizer. */
  chatTemplate?: ChatTemplate;
  /** Set when the weights are quantized (a quantized folder, or `quant`). */
  quantization?: WeightQuantization;
  /** The longest prompt plus output a request may use: the KV budget or maxModelLen (else the model's positions), whichever is smaller. */
  contextLength: number;
}

export async function loadEngine(path: string, options: LoadEngineOptions = {}): Promise<LoadedEngine> {
  // The fast backend (wasm here, tensorflow where installed) must be live before any weights become tensors.
  await initBackend();
  const dir = resolve(path);
  const replicas = options.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new EngineError('engine-request-invalid', `replicas must be a positive integer, got ${replicas}`, 'use --replicas 1 (one in-thread engine) or more (one worker thread each, up to the cores you have)');
  }
  const kind = modelFolderKind(dir);
  if (kind === 'quantized' && options.quant) {
    throw new EngineError('engine-quant-invalid', `${dir} is already quantized (quantized.json); --quant applies to float folders`, 'drop --quant, or point at the float model folder');
  }
  if (options.adapter && (kind === 'quantized' || replicas > 1)) {
    throw new EngineError('engine-adapter-invalid', `a PEFT adapter is folded into float weights on one engine; ${kind === 'quantized' ? `${dir} is quantized` : `${replicas} replicas read the folder themselves`}`, 'merge it first with `chainlm-train merge --base BASE --adapter DIR --out OUT` and load OUT');
  }
  const tokenizer = folderHasTokenizer(dir) ? await loadTokenizer(dir) : undefined;
  const chatTemplate = tokenizer ? loadChatTemplate(dir, tokenizer, { fallback: 'chatml' }) : undefined;
  // Behind replicas a float folder is read by each worker itself; quantized weights
  // (a quantized folder, or --quant: quantized here, once) travel to the workers as a
  // structured clone.
  const weights = replicas > 1 && kind === 'hf' && !options.quant ? undefined : await loadWeights(dir, kind, options, tokenizer);
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
    dir,
    engine,
    config,
    replicas,
    contextLength: Math.min(engine.plan.tokensThatFit, options.engine?.maxModelLen ?? config.maxPositionEmbeddings, config.maxPositionEmbeddings),
    ...(tokenizer ? { tokenizer } : {}),
    ...(chatTemplate ? { chatTemplate } : {}),
    ...(weights?.quantization ? { quantization: weights.quantization } : {}),
  };
}

interface LoadedWeights {
  /** A float model in this thread (float folder, no quant). */
  model?: Model;
  /** Quantized weights (a quantized folder, or quant), not yet on the backend. */
  quantized?: QuantizedModel;
  quantization?: WeightQuantization;
}

/** The folder's weights in this thread: a float model, or quantized weights (read, or quantized here). */
async function loadWeights(dir: string, kind: 'hf' | 'quantized', options: LoadEngineOptions, tokenizer: Tokenizer | undefined): Promise<LoadedWeights> {
  if (kind === 'quantized') {
    const quantized = await loadQuantized(dir);
    return { quantized, quantization: summarizeQuantization(quantized, false) };
  }
  const floatModel = await loadFloatModel(dir, options.adapter && resolve(options.adapter));
  if (!options.quant) return { model: floatModel };
  const quantized = quantizeAtLoad(floatModel, options.quant, tokenizer, dir);
  floatModel.dispose();
  return { quantized, quantization: summarizeQuantization(quantized, quantized.reports.length > 0) };
}
