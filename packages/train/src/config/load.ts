import { loadConfigFile, validateConfig } from '@chainlm/core';
import { trainConfigSchema, type TrainConfig } from './schema.js';

/** Environment overrides, e.g. CHAINLM_TRAIN_OPTIMIZER__LR=3e-4 or CHAINLM_TRAIN_MAX_STEPS=10. */
export const trainEnvPrefix = 'CHAINLM_TRAIN_';

export function loadTrainConfig(file: string, options: { overrides?: Record<string, unknown>; env?: NodeJS.ProcessEnv } = {}): Readonly<TrainConfig> {
  return loadConfigFile(file, trainConfigSchema, { envPrefix: trainEnvPrefix, env: options.env, overrides: options.overrides });
}

/** Validates an in-memory config (from flags or an API call), presets applied. */
export function parseTrainConfig(value: unknown, source = '<train config>'): Readonly<TrainConfig> {
  return validateConfig(value, trainConfigSchema, source);
}
