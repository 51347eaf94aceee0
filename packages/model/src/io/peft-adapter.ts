/**
 * HF PEFT LoRA adapter folders — the one reader and writer (train exports them, the
 * server serves them, eval and the engine's loader merge them):
 *   adapter_config.json        peft_type "LORA", r, lora_alpha, lora_dropout, target_modules…
 *                              (snake_case: a file format)
 *   adapter_model.safetensors  `base_model.model.<module>.lora_A.weight` [rank, in] and
 *                              `….lora_B.weight` [out, rank] (`.default` infix accepted)
 * What PEFT writes for `LoraConfig(r, lora_alpha, lora_dropout, target_modules)` with
 * bias "none". Module names are kept as the file has them; mapping an architecture's
 * own names (InternLM2's attention.wqkv) is the server's business.
 *
 * The adapted layer computes y = x·Wᵀ + scale · x·Aᵀ·Bᵀ with scale = alpha / rank, so
 * merging folds W' = W + scale · B·A (mergeLoraAdapter).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ChainlmError, replaceDirAtomic, writeJsonAtomic } from '@chainlm/core';
import { readSafetensors } from './safetensors-read.js';
import { writeSafetensors } from './safetensors-write.js';
import type { WeightMap } from './types.js';

/** One adapted module in HF/PEFT layout, row-major. */
export interface LoraModuleWeights {
  /** [rank, in] */
  a: Float32Array;
  /** [out, rank] */
  b: Float32Array;
  rank: number;
  inFeatures: number;
  outFeatures: number;
}

export interface LoraAdapter {
  rank: number;
  alpha: number;
  dropout: number;
  /** Leaf names the adapter targets (`q_proj`, …). */
  targetModules: string[];
  /** Module prefix as the base names its weight (`model.layers.0.self_attn.q_proj`) → factors. */
  modules: Map<string, LoraModuleWeights>;
}

/** A PEFT folder as read: the adapter, and the base model its config names (informational). */
export interface PeftAdapter extends LoraAdapter {
  baseModel: string | null;
}

export const peftConfigFile = 'adapter_config.json';
export const peftWeightsFile = 'adapter_model.safetensors';
const keyPrefix = 'base_model.model.';

const peftConfigSchema = z.looseObject({
  peft_type: z.literal('LORA'),
  r: z.number().int().positive(),
  lora_alpha: z.number().positive(),
  lora_dropout: z.number().min(0).default(0),
  target_modules: z.union([z.array(z.string()), z.string()]).nullish(),
  bias: z.string().default('none'),
  fan_in_fan_out: z.boolean().default(false),
  use_rslora: z.boolean().default(false),
  use_dora: z.boolean().default(false),
  base_model_name_or_path: z.string().nullish(),
});

function adapterError(message: string, hint: string): ChainlmError {
  return new ChainlmError('adapter-invalid', message, { hint, exitCode: 2 });
}

export function loraScale(adapter: Pick<LoraAdapter, 'alpha' | 'rank'>): number {
  return adapter.alpha / adapter.rank;
}

/** True when `dir` holds both files of a PEFT folder. */
export function isPeftFolder(dir: string): boolean {
  return existsSync(join(dir, peftConfigFile)) && existsSync(join(dir, peftWeightsFile));
}

export async function readPeftAdapter(dir: string): Promise<PeftAdapter> {
  const configPath = join(dir, peftConfigFile);
  const weightsPath = join(dir, peftWeightsFile);
  if (!isPeftFolder(dir)) {
    throw adapterError(`${dir} is not a PEFT LoRA folder (it needs ${peftConfigFile} and ${peftWeightsFile})`, "export one with `chainlm-train export RUN --out DIR` (a LoRA run) or PEFT's save_pretrained");
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(configPath, 'utf8'));
  } catch (error) {
    throw adapterError(`${configPath}: not valid JSON (${(error as Error).message})`, 'fix or re-export the adapter');
  }
  const parsed = peftConfigSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw adapterError(`${configPath}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, 'only LoRA adapters (peft_type "LORA") are supported');
  }
  const config = parsed.data;
  if (config.fan_in_fan_out || config.use_rslora || config.use_dora || config.bias !== 'none') {
    throw adapterError(`${configPath}: fan_in_fan_out, use_rslora, use_dora and LoRA biases are not supported`, 'export with bias "none" and plain LoRA, or merge the adapter into the base');
  }
  const modules = readModules(await readSafetensors(weightsPath), config.r, weightsPath);
  const targets = config.target_modules ?? [...new Set([...modules.keys()].map((module) => module.slice(module.lastIndexOf('.') + 1)))];
  return {
    rank: config.r,
    alpha: config.lora_alpha,
    dropout: config.lora_dropout,
    targetModules: Array.isArray(targets) ? targets : [targets],
    modules,
    baseModel: config.base_model_name_or_path ?? null,
  };
}

function readModules(tensors: WeightMap, rank: number, weightsPath: string): Map<string, LoraModuleWeights> {
  const modules = new Map<string, LoraModuleWeights>();
  for (const [key, a] of tensors) {
    const match = /^(?:base_model\.model\.)?(.+)\.lora_A(?:\.default)?\.weight$/.exec(key);
    if (!match) continue;
    const b = tensors.get(key.replace('.lora_A', '.lora_B'));
    if (!b || a.shape.length !== 2 || b.shape.length !== 2 || a.shape[0] !== rank || b.shape[1] !== rank) {
      throw adapterError(`${weightsPath}: ${match[1]} needs lora_A [${rank}, in] and lora_B [out, ${rank}]`, 'the adapter file is incomplete or its rank does not match adapter_config.json');
    }
    modules.set(match[1], { a: a.data, b: b.data, rank, inFeatures: a.shape[1], outFeatures: b.shape[0] });
  }
  if (modules.size === 0) throw adapterError(`${weightsPath} holds no lora_A/lora_B tensors`, 'export the adapter again');
  return modules;
}

/** Writes a PEFT folder atomically (built in a temp folder, renamed onto `dir`). */
export async function writePeftAdapter(dir: string, adapter: LoraAdapter, options: { baseModel?: string | null } = {}): Promise<void> {
  const weights: WeightMap = new Map();
  for (const [module, lora] of adapter.modules) {
    weights.set(`${keyPrefix}${module}.lora_A.weight`, { shape: [adapter.rank, lora.inFeatures], dtype: 'F32', data: lora.a });
    weights.set(`${keyPrefix}${module}.lora_B.weight`, { shape: [lora.outFeatures, adapter.rank], dtype: 'F32', data: lora.b });
  }
  await replaceDirAtomic(dir, async (temp) => {
    await writeJsonAtomic(join(temp, peftConfigFile), {
      peft_type: 'LORA',
      task_type: 'CAUSAL_LM',
      base_model_name_or_path: options.baseModel ?? null,
      r: adapter.rank,
      lora_alpha: adapter.alpha,
      lora_dropout: adapter.dropout,
      target_modules: adapter.targetModules,
      bias: 'none',
      fan_in_fan_out: false,
      inference_mode: true,
      init_lora_weights: true,
      modules_to_save: null,
      use_rslora: false,
    });
    await writeSafetensors(join(temp, peftWeightsFile), weights, { metadata: { format: 'pt' } });
  });
}

/**
 * W' = W + scale · B·A for every adapted module; other tensors are shared, not copied,
 * and `base` is left as it was. Each output value is accumulated in float64 and
 * rounded to float32 once.
 */
export function mergeLoraAdapter(base: WeightMap, adapter: Pick<LoraAdapter, 'rank' | 'alpha' | 'modules'>): WeightMap {
  const scale = loraScale(adapter);
  const merged: WeightMap = new Map(base);
  for (const [module, lora] of adapter.modules) {
    const name = `${module}.weight`;
    const weight = base.get(name);
    if (!weight || weight.shape[0] !== lora.outFeatures || weight.shape[1] !== lora.inFeatures) {
      throw adapterError(
        `adapter module ${module} expects a base weight [${lora.outFeatures}, ${lora.inFeatures}], ${weight ? `the model has [${weight.shape.join(', ')}]` : `the base model has no weight ${name}`}`,
        'merge the adapter into the base model it was trained on',
      );
    }
    const out = new Float32Array(weight.data.length); // [out, in]
    const { a, b, inFeatures, outFeatures } = lora;
    const rank = adapter.rank;
    for (let row = 0; row < outFeatures; row++) {
      for (let column = 0; column < inFeatures; column++) {
        let delta = 0;
        for (let k = 0; k < rank; k++) delta += b[row * rank + k] * a[k * inFeatures + column];
        out[row * inFeatures + column] = weight.data[row * inFeatures + column] + scale * delta;
      }
    }
    merged.set(name, { shape: [...weight.shape], dtype: weight.dtype, data: out });
  }
  return merged;
}
