/**
 * @chainlm/engine: the inference engine — block manager, scheduler (continuous
 * batching, chunked prefill, preemption, prefix caching), paged KV cache, runner,
 * sampling, weight-only quantization and the serving benchmarks.
 */
export { EngineError, engineErrorCodes, isEngineErrorCode, type EngineErrorCode } from './errors.js';
export { engineConfigSchema, parseEngineConfig, type EngineConfig, type EngineConfigInput } from './config/engine-config.js';
export { BlockManager, type BlockManagerOptions, type BlockStats, type CachedPrefix, type SlotAllocation, type BlockCopy } from './block/block-manager.js';
export { hashBlock, hashFullBlocks } from './block/block-hash.js';
export { Scheduler, type SchedulerOptions, type SchedulerOutput, type ScheduledSequence } from './scheduler/scheduler.js';
export { Sequence, type SequenceStatus } from './scheduler/sequence.js';
export { WaitingQueue, TokenBudget, pickVictim, runOrder } from './scheduler/policies.js';
export { HostKvStore, WasmHeapKvStore, type KvStore, type KvShape } from './kv/kv-store.js';
export { Int8KvStore } from './kv/int8-kv-store.js';
export { PagedAttentionBackend } from './kv/paged-attention.js';
export { buildStepLayout, type StepLayout, type AttentionGroup, type LayoutSequence } from './kv/step-layout.js';
export { ModelRunner, type SequenceRequest, type SequenceResult, type PromptLogprob } from './runner/model-runner.js';
export { TextStream } from './runner/text-stream.js';
export { samplingParamsSchema, parseSamplingParams, type SamplingParams, type SamplingParamsInput } from './sampling/sampling-params.js';
export { sampleRow, applyPenalties, filterCandidates, type SampledToken, type RandomSource } from './sampling/sampler.js';
export { logSumExp, topLogprobs, type TokenLogprob } from './sampling/logprobs.js';
export { Engine, type GenerateRequest, type EngineOptions, type EngineMetrics, type EngineBookkeeping } from './engine/engine.js';
export type { ServingEngine } from './serving-engine.js';
export type { EngineEvent, TextDeltaEvent, RequestFinishEvent, CompletionOutput, FinishReason, RequestMetrics, GeneratedLogprob } from './engine/events.js';
export { planMemory, formatMemoryPlan, kvBytesPerToken, type MemoryPlan } from './engine/memory-plan.js';
export { stepModelFrom } from './model/step-model.js';
export type { StepModel, StepModelShape, StepInput, AttentionBackend, TokenizerLike, StepLora, StepLoraAdapter, StepLoraModule } from './model-contract.js';
export { AdapterRegistry, baseAdapterId, type LoraAdapterInput, type LoraModuleInput } from './lora/adapter-registry.js';
export { quantizeLinear, linearScheme } from './quant/linear-quant.js';
export { awqQuantize, type Calibration } from './quant/awq.js';
export { quantizeModel, dequantizeWeights, createQuantizedModel, quantizedModelBytes, type QuantizeOptions, type QuantizedModel } from './quant/quantize-model.js';
export { saveQuantized, loadQuantized } from './quant/quantized-io.js';
export { loadEngine, type LoadEngineOptions, type LoadedEngine } from './load/load-engine.js';
export { modelFolderKind, type ModelFolderKind } from './load/model-folder.js';
export { describeQuantization, type QuantOptions, type QuantScheme, type WeightQuantization } from './load/quantize-at-load.js';
export type { TokenConstraint, PortableConstraint, ConstraintFactory } from './sampling/constraint.js';
export { runSuite, benchKinds, type BenchKind, type SuiteOptions, type SuiteResult, type DynamicRun } from './bench/suite.js';
export { suiteMarkdown } from './bench/report.js';
export type { StaticBenchRow } from './bench/static-bench.js';
export type { DynamicResult } from './bench/dynamic-bench.js';
export type { BenchVariant } from './bench/bench-model.js';
export { ReplicaPool, type ReplicaPoolOptions } from './parallel/replica-pool.js';
export type { ReplicaModelSpec } from './parallel/replica-messages.js';
export { sumMetrics } from './parallel/replica-metrics.js';
export { TensorParallelModel, type TensorParallelOptions } from './parallel/tensor-parallel.js';
export { runStaticBench, type StaticBenchOptions } from './bench/static-bench.js';
export { runDynamic, type BatchingPolicy } from './bench/dynamic-bench.js';
export { buildTrace, type TraceRequest, type TraceOptions } from './bench/trace.js';
export { engineProgram } from './cli/program.js';
