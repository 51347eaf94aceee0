/**
 * Named presets: defaults for small runs that train in minutes on 2 CPU cores. A
 * config's `preset: tiny` puts the preset under the file's own keys (file wins).
 */
import { mergeDeep } from '@chainlm/core';

export const trainPresets = {
  /** ~0.1 M params, seq 64: a loss curve in well under a minute. */
  tiny: {
    model: { size: 'tiny' },
    data: { seqLen: 64, tokenizerVocabSize: 512 },
    optimizer: { lr: 3e-3, weightDecay: 0.01 },
    schedule: { warmupSteps: 10, decay: 'cosine', minLrRatio: 0.1 },
    batchSize: 8,
    maxSteps: 200,
    evalInterval: 50,
    evalBatches: 4,
    checkpointInterval: 100,
  },
  /** A few M params, seq 128: minutes on 2 cores. */
  small: {
    model: { size: 'small' },
    data: { seqLen: 128, tokenizerVocabSize: 1024 },
    optimizer: { lr: 1e-3, weightDecay: 0.1 },
    schedule: { warmupSteps: 20, decay: 'cosine', minLrRatio: 0.1 },
    batchSize: 8,
    maxSteps: 500,
    evalInterval: 100,
    evalBatches: 4,
    checkpointInterval: 250,
  },
} as const;

export type TrainPresetName = keyof typeof trainPresets;

/** zod preprocess step: merges the named preset under the given config. */
export function applyPreset(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const name = (value as { preset?: unknown }).preset;
  if (typeof name !== 'string' || !(name in trainPresets)) return value; // the schema reports a bad name
  const preset = trainPresets[name as TrainPresetName];
  return mergeDeep(structuredClone(preset), value);
}
