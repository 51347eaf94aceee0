/**
 * @chainlm/engine: paged KV cache, continuous batching with chunked prefill,
 * prefix caching and per-request sampling behind one `Engine`.
 */
export { Engine, type GenerateRequest, type EngineOptions, type EngineMetrics } from './engine/engine.js';
export type { EngineEvent, TextDeltaEvent, RequestFinishEvent, CompletionOutput, RequestMetrics, GeneratedLogprob, FinishReason } from './engine/events.js';
export { planMemory, formatMemoryPlan, type MemoryPlan } from './engine/memory-plan.js';
export { parseEngineConfig, engineConfigSchema, type EngineConfig, type EngineConfigInput } from './config/engine-config.js';
export { parseSamplingParams, samplingParamsSchema, type SamplingParams, type SamplingParamsInput } from './sampling/sampling-params.js';
export type { TokenLogprob } from './sampling/logprobs.js';
export type { PromptLogprob } from './runner/model-runner.js';
export { BlockManager, type BlockManagerOptions, type BlockStats } from './block/block-manager.js';
export { Scheduler, type SchedulerOptions, type SchedulerOutput } from './scheduler/scheduler.js';
export { stepModelFrom } from './model/step-model.js';
export type { StepModel, StepModelShape, TokenizerLike } from './model-contract.js';
export { EngineError } from './errors.js';
export type { TokenConstraint } from './sampling/constraint.js';
