/**
 * Tokenizer worker threads (one per core by default): a worker pool running
 * createJobEncoder's handler, in this thread when `workers` is 0 or when running
 * from sources (the compiled tokenize-worker.js is absent).
 */
import { availableParallelism } from 'node:os';
import { createWorkerPool, type WorkerPool } from '../workers/worker-pool.js';
import { createJobEncoder, type EncodeJob, type EncodedBatch, type EncoderSetup } from './encode-job.js';

export type EncoderPool = WorkerPool<EncodeJob, EncodedBatch>;

export function createEncoderPool(setup: EncoderSetup, workers = availableParallelism()): Promise<EncoderPool> {
  return createWorkerPool({ script: new URL('./tokenize-worker.js', import.meta.url), setup, workers, createHandler: createJobEncoder });
}
