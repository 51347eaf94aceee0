export {
  architectures,
  modelConfigSchema,
  ropeScalingSchema,
  validateModelConfig,
  hasOutputBias,
  countParameters,
  type Architecture,
  type ModelConfig,
  type RopeScaling,
} from './model-config.js';
export { parseHfConfig, toHfConfig } from './hf-config.js';
export { presetConfig, presetShapes, presetNames, type PresetName } from './presets.js';
