/**
 * Random initialization for pretraining from scratch (seeded, backend-independent):
 * - token embeddings and every linear weight ~ N(0, 0.02²) (HF's initializer_range);
 * - the two projections that write into the residual stream (o_proj, down_proj) are
 *   scaled by 1/√(2·numLayers), as in GPT-2/nanoGPT, so the residual variance does
 *   not grow with depth;
 * - RMSNorm weights 1, biases 0.
 * Weights come out in HF layout ([out, in]), like a loaded checkpoint.
 */
import type { WeightMap } from '../io/types.js';
import type { ModelConfig } from '../config/index.js';
import { createRng } from '../generate/rng.js';
import { canonicalShapes } from './weight-names.js';

export const INIT_STD = 0.02;

export function initialWeights(config: ModelConfig, seed: number): WeightMap {
  const rng = createRng(seed);
  const residualStd = INIT_STD / Math.sqrt(2 * config.numLayers);
  const weights: WeightMap = new Map();
  for (const [name, shape] of canonicalShapes(config)) {
    const size = shape.reduce((product, dimension) => product * dimension, 1);
    const data = new Float32Array(size);
    if (name.endsWith('norm.weight')) {
      data.fill(1);
    } else if (!name.endsWith('.bias')) {
      const std = /(o_proj|down_proj)\.weight$/.test(name) ? residualStd : INIT_STD;
      for (let index = 0; index < size; index++) data[index] = rng.normal() * std;
    }
    weights.set(name, { shape, dtype: 'F32', data });
  }
  return weights;
}
