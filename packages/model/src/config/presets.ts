/**
 * Named sizes for pretraining from scratch. s15 and s110 are llama2.c's stories15M
 * and stories110M shapes (Llama-2 32k vocab, shared classifier); tiny and small are
 * for tests and laptop runs. Overrides (e.g. the vocab size of a freshly trained
 * tokenizer) are validated like any config.
 */
import { ChainlmError } from '@chainlm/core';
import { validateModelConfig, type ModelConfig } from './model-config.js';

type Shape = Pick<ModelConfig, 'vocabSize' | 'hiddenSize' | 'intermediateSize' | 'numLayers' | 'numHeads' | 'numKvHeads' | 'maxPositionEmbeddings'>;

export const presetShapes = {
  /** ≈1.4M parameters with a 4096 vocab. */
  tiny: { vocabSize: 4096, hiddenSize: 128, intermediateSize: 384, numLayers: 4, numHeads: 4, numKvHeads: 2, maxPositionEmbeddings: 256 },
  /** ≈6.8M parameters with an 8192 vocab. */
  small: { vocabSize: 8192, hiddenSize: 256, intermediateSize: 768, numLayers: 6, numHeads: 8, numKvHeads: 4, maxPositionEmbeddings: 512 },
  /** llama2.c stories15M: ≈15M parameters. */
  s15: { vocabSize: 32000, hiddenSize: 288, intermediateSize: 768, numLayers: 6, numHeads: 6, numKvHeads: 6, maxPositionEmbeddings: 512 },
  /** llama2.c stories110M: ≈110M parameters. */
  s110: { vocabSize: 32000, hiddenSize: 768, intermediateSize: 2048, numLayers: 12, numHeads: 12, numKvHeads: 12, maxPositionEmbeddings: 1024 },
} as const satisfies Record<string, Shape>;

export type PresetName = keyof typeof presetShapes;
export const presetNames = Object.keys(presetShapes) as PresetName[];

export function presetConfig(name: string, overrides: Partial<ModelConfig> = {}): ModelConfig {
  if (!(name in presetShapes)) {
    throw new ChainlmError('model-preset-unknown', `unknown model preset "${name}"`, { hint: `use one of ${presetNames.join(', ')}`, exitCode: 2 });
  }
  const shape: Shape = { ...presetShapes[name as PresetName], ...overrides };
  return validateModelConfig(
    {
      architecture: 'llama',
      ...shape,
      headDim: shape.hiddenSize / shape.numHeads,
      rmsNormEps: 1e-5,
      ropeTheta: 10000,
      ropeScaling: null,
      tieWordEmbeddings: true,
      attentionBias: false,
      bosTokenId: 1,
      eosTokenId: 2,
      ...overrides,
    },
    `preset ${name}`,
  );
}
