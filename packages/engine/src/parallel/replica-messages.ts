/** Messages between the replica front and its worker threads (structured-clone data only). */
import type { EngineConfigInput } from '../config/engine-config.js';
import type { EngineEvent } from '../engine/events.js';
import type { EngineMetrics, GenerateRequest } from '../engine/engine.js';

/** How a replica builds its model: a preset with seeded random weights, or an HF folder. */
export type ReplicaModelSpec = { preset: string; seed: number } | { hfFolder: string };

export interface ReplicaWorkerData {
  model: ReplicaModelSpec;
  config: EngineConfigInput;
}

export type FrontMessage = { type: 'add'; request: GenerateRequest & { requestId: string } } | { type: 'abort'; requestId: string } | { type: 'metrics' } | { type: 'close' };

export type ReplicaMessage =
  | { type: 'ready' }
  | { type: 'event'; event: EngineEvent }
  | { type: 'error'; requestId?: string; message: string }
  | { type: 'metrics'; metrics: EngineMetrics }
  | { type: 'closed' };
