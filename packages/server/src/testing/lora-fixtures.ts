/**
 * Test fixtures for LoRA serving: random adapters for a base's weights, written as
 * PEFT folders (adapter_config.json + adapter_model.safetensors with PEFT's key
 * names), and the reference they must match — the adapter merged into the weights.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRng, writeSafetensors, type WeightMap } from '@chainlm/model';

export interface HostLoraAdapter {
  rank: number;
  alpha: number;
  /** module → A [rank, in], B [out, rank], row-major */
  modules: Map<string, { a: Float32Array; b: Float32Array; inFeatures: number; outFeatures: number }>;
}

/** Factors ~ N(0, std²) for `modules` (canonical names) of a base with `weights`. */
export function randomLoraAdapter(weights: WeightMap, modules: string[], rank: number, alpha: number, seed: number, std = 0.15): HostLoraAdapter {
  const rng = createRng(seed);
  const fill = (size: number) => Float32Array.from({ length: size }, () => std * rng.normal());
  return {
    rank,
    alpha,
    modules: new Map(
      modules.map((module) => {
        const [outFeatures, inFeatures] = weights.get(`${module}.weight`)!.shape as [number, number];
        return [module, { a: fill(rank * inFeatures), b: fill(outFeatures * rank), inFeatures, outFeatures }];
      }),
    ),
  };
}

export async function writePeftFolder(folder: string, adapter: HostLoraAdapter): Promise<void> {
  mkdirSync(folder, { recursive: true });
  const tensors: WeightMap = new Map();
  for (const [module, { a, b, inFeatures, outFeatures }] of adapter.modules) {
    tensors.set(`base_model.model.${module}.lora_A.weight`, { shape: [adapter.rank, inFeatures], dtype: 'F32', data: a });
    tensors.set(`base_model.model.${module}.lora_B.weight`, { shape: [outFeatures, adapter.rank], dtype: 'F32', data: b });
  }
  await writeSafetensors(join(folder, 'adapter_model.safetensors'), tensors, { metadata: { format: 'pt' } });
  const targets = [...new Set([...adapter.modules.keys()].map((module) => module.slice(module.lastIndexOf('.') + 1)))];
  const config = { peft_type: 'LORA', task_type: 'CAUSAL_LM', r: adapter.rank, lora_alpha: adapter.alpha, lora_dropout: 0, target_modules: targets, bias: 'none', base_model_name_or_path: null };
  writeFileSync(join(folder, 'adapter_config.json'), JSON.stringify(config));
}

/** W' = W + (alpha / rank)·B·A for every adapted module (float64 per value). */
export function mergeLora(weights: WeightMap, adapter: HostLoraAdapter): WeightMap {
  const merged: WeightMap = new Map(weights);
  const scale = adapter.alpha / adapter.rank;
  for (const [module, { a, b, inFeatures, outFeatures }] of adapter.modules) {
    const base = weights.get(`${module}.weight`)!;
    const data = new Float32Array(base.data.length);
    for (let row = 0; row < outFeatures; row++) {
      for (let column = 0; column < inFeatures; column++) {
        let delta = 0;
        for (let k = 0; k < adapter.rank; k++) delta += b[row * adapter.rank + k]! * a[k * inFeatures + column]!;
        data[row * inFeatures + column] = base.data[row * inFeatures + column]! + scale * delta;
      }
    }
    merged.set(`${module}.weight`, { ...base, data });
  }
  return merged;
}
