/** Messages between the worker pool (main thread) and its replica workers. */
import type { TrainBatch } from '../data/train-batch.js';
import type { LossSum } from '../loop/engine.js';
import type { ReplicaSpec } from '../loop/replica.js';
import type { ParamLayout } from '../optim/layout.js';

export interface WorkerInit {
  spec: ReplicaSpec;
  /** Float32 parameters shared by all workers: [layout.size]; worker 0 creates it. */
  params?: SharedArrayBuffer;
  /** Backend the workers must use (the main thread's), e.g. `wasm`. */
  backend?: string;
}

export type WorkerRequest =
  | { type: 'read-params' }
  | { type: 'write-params' }
  | { type: 'gradients'; batches: TrainBatch[]; dropoutSeed: number }
  | { type: 'evaluate'; batches: TrainBatch[] }
  | { type: 'close' };

export type WorkerReply =
  /** `grads` is this worker's own gradient region [layout.size]. */
  | { type: 'ready'; layout: ParamLayout; params: SharedArrayBuffer; grads: SharedArrayBuffer }
  | { type: 'done' }
  | { type: 'loss'; result: LossSum }
  | { type: 'error'; message: string; code?: string; hint?: string };
