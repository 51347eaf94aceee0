export { createRng, type Rng } from './rng.js';
export {
  softmax, temperatureProcessor, topKProcessor, topPProcessor, minPProcessor, repetitionPenaltyProcessor, presencePenaltyProcessor, frequencyPenaltyProcessor,
  type LogitsProcessor, type LogitsContext,
} from './processors.js';
export {
  samplingOptionsSchema, resolveSamplingOptions, buildLogitsProcessors, buildPenaltyProcessors, buildWarpers, argmax, sampleFromLogits, nextToken,
  type SamplingOptions, type ResolvedSamplingOptions,
} from './sampling.js';
export { findStopString, pendingStopPrefix, type StopMatch } from './stop.js';
export { generate, type GenerateOptions, type GenerateResult, type TokenEvent } from './generate.js';
