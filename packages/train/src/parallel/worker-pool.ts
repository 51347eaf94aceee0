/**
 * Data parallelism over worker threads (the wasm backend runs one thread per
 * replica). Each worker holds a replica and takes an equal slice of every
 * micro-batch; its gradient SUM lands in its own SharedArrayBuffer region, and the
 * pool adds the regions in worker order — a fixed order, so a run is deterministic
 * for a given worker count. Parameters travel the other way through one shared
 * buffer. At start worker 0's initial parameters are copied to all, so every
 * replica starts from the same weights.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ChainlmError } from '@chainlm/core';
import { splitBatch, type TrainBatch } from '../data/train-batch.js';
import { trainError, trainErrorCodes } from '../errors.js';
import type { GradientEngine, LossSum } from '../loop/engine.js';
import type { ReplicaSpec } from '../loop/replica.js';
import type { ParamLayout } from '../optim/layout.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';

/** The compiled worker; under vitest (sources) the package's dist build is used. */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith('.ts') ? fileURLToPath(new URL('../../dist/parallel/worker.js', import.meta.url)) : fileURLToPath(new URL('./worker.js', import.meta.url));
  if (!existsSync(file)) throw trainError(trainErrorCodes.worker, `the worker script ${file} is missing`, 'build the package first: `npx tsc -b packages/train`');
  return file;
}

interface Handle {
  worker: Worker;
  grads: Float32Array;
  pending?: { resolve: (reply: WorkerReply) => void; reject: (error: Error) => void };
}

export class WorkerPool implements GradientEngine {
  private constructor(
    private readonly handles: Handle[],
    private readonly params: Float32Array,
    readonly layout: ParamLayout,
  ) {}

  static async create(spec: ReplicaSpec, workers: number, options: { backend?: string } = {}): Promise<WorkerPool> {
    const file = workerFile();
    // Worker 0 sizes and creates the shared parameter buffer; the others attach to it.
    const first = await startWorker(file, spec, undefined, options.backend);
    const rest = await Promise.all(Array.from({ length: workers - 1 }, () => startWorker(file, spec, first.params, options.backend)));
    const handles = [first, ...rest].map(({ handle }) => handle);
    const pool = new WorkerPool(handles, new Float32Array(first.params), first.layout);
    await pool.request(0, { type: 'read-params' });
    await Promise.all(handles.slice(1).map((_, index) => pool.request(index + 1, { type: 'write-params' })));
    return pool;
  }

  async readParams(out: Float32Array): Promise<void> {
    out.set(this.params);
  }

  async writeParams(params: Float32Array): Promise<void> {
    this.params.set(params);
    await Promise.all(this.handles.map((_, index) => this.request(index, { type: 'write-params' })));
  }

  async accumulateGradients(microBatches: TrainBatch[], dropoutSeed: number, grads: Float32Array): Promise<LossSum> {
    const slices = microBatches.map((batch) => splitBatch(batch, this.handles.length));
    const results = await Promise.all(
      this.handles.map((_, index) =>
        this.request(index, { type: 'gradients', batches: slices.map((parts) => parts[index]), dropoutSeed: dropoutSeed + index * 7_919 }),
      ),
    );
    grads.set(this.handles[0].grads);
    for (let index = 1; index < this.handles.length; index++) {
      const part = this.handles[index].grads;
      for (let offset = 0; offset < grads.length; offset++) grads[offset] += part[offset];
    }
    return sumLosses(results);
  }

  async evaluate(batches: TrainBatch[]): Promise<LossSum> {
    const slices = batches.map((batch) => splitBatch(batch, this.handles.length));
    const results = await Promise.all(this.handles.map((_, index) => this.request(index, { type: 'evaluate', batches: slices.map((parts) => parts[index]) })));
    return sumLosses(results);
  }

  async dispose(): Promise<void> {
    await Promise.all(this.handles.map(async (handle, index) => {
      await this.request(index, { type: 'close' }).catch(() => undefined);
      await handle.worker.terminate();
    }));
  }

  private request(index: number, message: WorkerRequest): Promise<WorkerReply> {
    const handle = this.handles[index];
    return new Promise((resolve, reject) => {
      handle.pending = { resolve, reject };
      handle.worker.postMessage(message);
    });
  }
}

function sumLosses(replies: WorkerReply[]): LossSum {
  let lossSum = 0;
  let tokens = 0;
  for (const reply of replies) {
    if (reply.type !== 'loss') continue;
    lossSum += reply.result.lossSum;
    tokens += reply.result.tokens;
  }
  return { lossSum, tokens };
}

async function startWorker(
  file: string,
  spec: ReplicaSpec,
  params: SharedArrayBuffer | undefined,
  backend: string | undefined,
): Promise<{ layout: ParamLayout; params: SharedArrayBuffer; handle: Handle }> {
  const worker = new Worker(file, { workerData: { spec, params, backend } });
  const handle: Handle = { worker, grads: new Float32Array(0) };
  const ready = await new Promise<Extract<WorkerReply, { type: 'ready' }>>((resolve, reject) => {
    handle.pending = { resolve: (reply) => (reply.type === 'ready' ? resolve(reply) : reject(new Error(`unexpected ${reply.type} before ready`))), reject };
    worker.on('message', (reply: WorkerReply) => {
      const pending = handle.pending;
      handle.pending = undefined;
      if (reply.type === 'error') pending?.reject(new ChainlmError(reply.code ?? trainErrorCodes.worker, `worker: ${reply.message}`, { hint: reply.hint }));
      else pending?.resolve(reply);
    });
    worker.on('error', (error) => handle.pending?.reject(trainError(trainErrorCodes.worker, `worker crashed: ${error.message}`, 'run with workers: 1 to see the error on the main thread')));
    worker.on('exit', (code) => {
      if (code !== 0) handle.pending?.reject(trainError(trainErrorCodes.worker, `worker exited with code ${code}`, 'run with workers: 1 to see the error on the main thread'));
    });
  });
  handle.grads = new Float32Array(ready.grads);
  return { layout: ready.layout, params: ready.params, handle };
}
