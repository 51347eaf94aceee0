/** Messages between the replica front and its worker threads (structured-clone data only). */
import type { ModelConfig } from '@chainlm/model';
import type { EngineConfigInput } from '../config/engine-config.js';
import type { EngineEvent } from '../engine/events.js';
import type { EngineBookkeeping, EngineMetrics, GenerateRequest } from '../engine/engine.js';
import type { MemoryPlan } from '../engine/memory-plan.js';
import type { LoraAdapterInput } from '../lora/adapter-registry.js';
import type { StepModelShape } from '../model-contract.js';
import type { QuantizedModel } from '../quant/quantize-model.js';
import type { PortableConstraint } from '../sampling/constraint.js';

/** Bumped whenever these messages change, so a stale built worker is named, not misread. */
export const replicaProtocol = 3;

/**
 * How a replica builds its model:
 *  - a preset with seeded random weights (benchmarks, tests);
 *  - a folder: HF (config.json + safetensors) or quantized (quantized.json), its
 *    tokenizer loaded when the folder has one; `quantized` is weights the front
 *    already quantized (the folder then only gives the tokenizer).
 */
export type ReplicaModelSpec = { preset: string; seed: number } | { folder: string; quantized?: QuantizedModel };

export interface ReplicaWorkerData {
  model: ReplicaModelSpec;
  config: EngineConfigInput;
  /** Milliseconds between metrics snapshots sent to the front (only when they changed). */
  metricsIntervalMs: number;
}

/** An error crossing the thread boundary: the catalogue code survives, so the front can rethrow it. */
export interface WireError {
  code: string;
  message: string;
  hint?: string;
  exitCode?: number;
}

export type FrontMessage =
  | { type: 'add'; request: GenerateRequest & { requestId: string }; constraint?: PortableConstraint }
  | { type: 'abort'; requestId: string }
  | { type: 'load-adapter'; operation: number; name: string; adapter: LoraAdapterInput }
  | { type: 'unload-adapter'; operation: number; name: string }
  | { type: 'snapshot'; operation: number }
  | { type: 'close' };

export type ReplicaMessage =
  | { type: 'ready'; protocol: number; plan: MemoryPlan; shape: StepModelShape; modelConfig: ModelConfig; hasTokenizer: boolean }
  | { type: 'start-error'; error: WireError }
  | { type: 'event'; event: EngineEvent }
  | { type: 'reject'; requestId: string; error: WireError }
  | { type: 'metrics'; metrics: EngineMetrics }
  | { type: 'done'; operation: number; error?: WireError; snapshot?: { metrics: EngineMetrics; bookkeeping: EngineBookkeeping } }
  | { type: 'closed' };
