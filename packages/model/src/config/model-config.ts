/**
 * The normalized model config every other module reads: camelCase, one shape for all
 * four architectures. HF `config.json` files are parsed into it (hf-config.ts) and
 * written back from it; presets build it for pretraining from scratch.
 */
import { z } from 'zod';
import { validateConfig } from '@chainlm/core';

export const architectures = ['llama', 'internlm', 'internlm2', 'qwen2'] as const;
export type Architecture = (typeof architectures)[number];

const positiveInt = z.number().int().positive();
const tokenId = z.number().int().nonnegative();

export const ropeScalingSchema = z.strictObject({
  /** linear: positions divided by factor; dynamic: NTK base grows past maxPositionEmbeddings. */
  type: z.enum(['linear', 'dynamic']),
  factor: z.number().positive(),
});
export type RopeScaling = z.infer<typeof ropeScalingSchema>;

export const modelConfigSchema = z
  .strictObject({
    architecture: z.enum(architectures),
    vocabSize: positiveInt,
    hiddenSize: positiveInt,
    intermediateSize: positiveInt,
    numLayers: positiveInt,
    numHeads: positiveInt,
    numKvHeads: positiveInt,
    headDim: positiveInt,
    maxPositionEmbeddings: positiveInt,
    rmsNormEps: z.number().positive(),
    ropeTheta: z.number().positive(),
    ropeScaling: ropeScalingSchema.nullable(),
    tieWordEmbeddings: z.boolean(),
    /** Biases on q/k/v (and on o, except for Qwen2, whose o_proj never has one). */
    attentionBias: z.boolean(),
    bosTokenId: tokenId.nullable(),
    eosTokenId: z.union([tokenId, z.array(tokenId)]).nullable(),
  })
  .superRefine((config, context) => {
    if (config.numHeads % config.numKvHeads !== 0) {
      context.addIssue({ code: 'custom', path: ['numKvHeads'], message: `numHeads (${config.numHeads}) must be a multiple of numKvHeads (${config.numKvHeads})` });
    }
    if (config.headDim % 2 !== 0) {
      context.addIssue({ code: 'custom', path: ['headDim'], message: `headDim must be even for rotary embeddings (found ${config.headDim})` });
    }
    if (config.architecture === 'internlm' && config.numKvHeads !== config.numHeads) {
      context.addIssue({ code: 'custom', path: ['numKvHeads'], message: 'InternLM (v1) has no grouped-query attention: numKvHeads must equal numHeads' });
    }
    if (config.architecture === 'internlm' && config.ropeScaling?.type === 'linear') {
      context.addIssue({ code: 'custom', path: ['ropeScaling', 'type'], message: 'InternLM (v1) supports only dynamic rope scaling' });
    }
    if (config.architecture === 'qwen2' && !config.attentionBias) {
      context.addIssue({ code: 'custom', path: ['attentionBias'], message: 'Qwen2 always has q/k/v biases: attentionBias must be true' });
    }
  });

export type ModelConfig = Readonly<z.infer<typeof modelConfigSchema>>;

/** Validates (unknown keys rejected, cross-field rules checked) and freezes. */
export function validateModelConfig(value: unknown, source = '<model config>'): ModelConfig {
  return validateConfig(value, modelConfigSchema, source);
}

/** Whether o_proj carries a bias: with attention biases, every architecture but Qwen2. */
export function hasOutputBias(config: ModelConfig): boolean {
  return config.attentionBias && config.architecture !== 'qwen2';
}

/** Parameter count (tied embeddings counted once). */
export function countParameters(config: ModelConfig): number {
  const { hiddenSize: dim, numHeads, numKvHeads, headDim, intermediateSize, vocabSize, numLayers } = config;
  const qSize = numHeads * headDim;
  const kvSize = numKvHeads * headDim;
  let perLayer = dim * qSize + 2 * dim * kvSize + qSize * dim + 3 * dim * intermediateSize + 2 * dim;
  if (config.attentionBias) perLayer += qSize + 2 * kvSize;
  if (hasOutputBias(config)) perLayer += dim;
  const embeddings = vocabSize * dim * (config.tieWordEmbeddings ? 1 : 2);
  return numLayers * perLayer + embeddings + dim;
}
