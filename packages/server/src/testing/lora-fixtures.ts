/**
 * Test fixtures for LoRA serving: random adapters for a base's weights, written as
 * PEFT folders, and the reference they must match — the adapter merged into the
 * weights. The folder format and the merge are @chainlm/model's (writePeftAdapter,
 * mergeLoraAdapter): the fixtures write what chainlm-train writes.
 */
import { createRng, mergeLoraAdapter, writePeftAdapter, type LoraAdapter, type WeightMap } from '@chainlm/model';

/** module → A [rank, in], B [out, rank], row-major. */
export type HostLoraAdapter = LoraAdapter;

/** Factors ~ N(0, std²) for `modules` (canonical names) of a base with `weights`. */
export function randomLoraAdapter(weights: WeightMap, modules: string[], rank: number, alpha: number, seed: number, std = 0.15): HostLoraAdapter {
  const rng = createRng(seed);
  const fill = (size: number) => Float32Array.from({ length: size }, () => std * rng.normal());
  return {
    rank,
    alpha,
    dropout: 0,
    targetModules: [...new Set(modules.map((module) => module.slice(module.lastIndexOf('.') + 1)))],
    modules: new Map(
      modules.map((module) => {
        const [outFeatures, inFeatures] = weights.get(`${module}.weight`)!.shape as [number, number];
        return [module, { a: fill(rank * inFeatures), b: fill(outFeatures * rank), rank, inFeatures, outFeatures }];
      }),
    ),
  };
}

export function writePeftFolder(folder: string, adapter: HostLoraAdapter): Promise<void> {
  return writePeftAdapter(folder, adapter);
}

/** W' = W + (alpha / rank)·B·A for every adapted module (float64 per value). */
export function mergeLora(weights: WeightMap, adapter: HostLoraAdapter): WeightMap {
  return mergeLoraAdapter(weights, adapter);
}
