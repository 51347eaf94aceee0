/** Tiny random configs and weights for the numerical tests. */
import { validateModelConfig, type ModelConfig } from '../../config/index.js';
import type { WeightMap } from '../../io/types.js';
import { createRng } from '../../generate/rng.js';
import { canonicalShapes, fromCanonicalWeights } from '../weight-names.js';

export function tinyConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return validateModelConfig({
    architecture: 'llama', vocabSize: 37, hiddenSize: 24, intermediateSize: 40, numLayers: 2, numHeads: 4, numKvHeads: 4, headDim: 6,
    maxPositionEmbeddings: 32, rmsNormEps: 1e-5, ropeTheta: 10000, ropeScaling: null, tieWordEmbeddings: false, attentionBias: false,
    bosTokenId: 1, eosTokenId: 2, ...overrides,
  });
}

/**
 * Weights large enough that attention is far from uniform (std 0.3, norms around 1,
 * biases 0.2), in the architecture's own names.
 */
export function randomWeights(config: ModelConfig, seed: number): WeightMap {
  const rng = createRng(seed);
  const canonical: WeightMap = new Map();
  for (const [name, shape] of canonicalShapes(config)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const norm = name.endsWith('norm.weight');
    for (let index = 0; index < data.length; index++) data[index] = norm ? 1 + 0.2 * rng.normal() : (name.endsWith('.bias') ? 0.2 : 0.3) * rng.normal();
    canonical.set(name, { shape, dtype: 'F32', data });
  }
  return fromCanonicalWeights(config, canonical);
}

export function randomTokens(config: ModelConfig, batch: number, length: number, seed: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: batch }, () => Array.from({ length }, () => Math.floor(rng.next() * config.vocabSize)));
}

export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs ${expected.length}`);
  let max = 0;
  for (let index = 0; index < actual.length; index++) max = Math.max(max, Math.abs(actual[index]! - expected[index]!));
  return max;
}
