/**
 * LoRA adapters on the host, in HF/PEFT layout: for a module m with base weight
 * W [out, in], A [rank, in] and B [out, rank]; the adapted layer computes
 *   y = x·Wᵀ + scale · x·Aᵀ·Bᵀ,   scale = alpha / rank,
 * so merging folds W' = W + scale · B·A.
 */
import type { WeightMap } from '@chainlm/model';
import { trainError, trainErrorCodes } from '../errors.js';

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
  targetModules: string[];
  /** HF module prefix (e.g. `model.layers.0.self_attn.q_proj`) → weights. */
  modules: Map<string, LoraModuleWeights>;
}

export function loraScale(adapter: Pick<LoraAdapter, 'alpha' | 'rank'>): number {
  return adapter.alpha / adapter.rank;
}

/** HF modules of `base` whose last name part is a target (2-D `.weight` tensors only). */
export function findTargetModules(base: Iterable<string>, targetModules: readonly string[]): string[] {
  const found: string[] = [];
  for (const name of base) {
    if (!name.endsWith('.weight')) continue;
    const module = name.slice(0, -'.weight'.length);
    const leaf = module.slice(module.lastIndexOf('.') + 1);
    if (targetModules.includes(leaf)) found.push(module);
  }
  if (found.length === 0) {
    throw trainError(
      trainErrorCodes.loraTargets,
      `no module of the model matches lora.targetModules [${targetModules.join(', ')}]`,
      'Llama-style models name q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj; InternLM2 names wqkv, wo, w1, w2, w3',
      2,
    );
  }
  return found;
}

/**
 * W' = W + scale · B·A for every adapted module; other tensors are shared, not copied.
 * Each output value is accumulated in float64 and rounded to float32 once.
 */
export function mergeAdapter(base: WeightMap, adapter: LoraAdapter): WeightMap {
  const scale = loraScale(adapter);
  const merged: WeightMap = new Map(base);
  for (const [module, lora] of adapter.modules) {
    const name = `${module}.weight`;
    const weight = base.get(name);
    if (!weight || weight.shape[0] !== lora.outFeatures || weight.shape[1] !== lora.inFeatures) {
      throw trainError(
        trainErrorCodes.adapterInvalid,
        `adapter module ${module} expects a base weight [${lora.outFeatures}, ${lora.inFeatures}], the model has ${weight ? `[${weight.shape.join(', ')}]` : 'none'}`,
        'merge the adapter into the base model it was trained on',
        2,
      );
    }
    const out = new Float32Array(weight.data.length);
    const { a, b, rank, inFeatures, outFeatures } = lora;
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
