/**
 * Tensor parallelism across worker threads (latency at small batch): a StepModel
 * whose forward fans the step out to `world` ranks (tp-worker.ts), each holding a
 * slice of every layer and its own KV heads, which meet in all-reduces through a
 * SharedArrayBuffer; the front blocks on Atomics.wait until every rank has written
 * its vocab slice of the logits. The engine's scheduler, block tables and sampling
 * are unchanged: the step layout and block copies come from the engine's
 * PagedAttentionBackend (`step`), whose own pools then go unused.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { presetConfig } from '@chainlm/model';
import { tf } from '@chainlm/runtime';
import { EngineError } from '../errors.js';
import { PagedAttentionBackend } from '../kv/paged-attention.js';
import type { StepInput, StepModel, StepModelShape } from '../model-contract.js';
import { SharedReducer, control } from './all-reduce.js';
import type { TpWorkerData } from './tp-worker.js';

export interface TensorParallelOptions {
  preset: string;
  seed: number;
  world: number;
  numBlocks: number;
  blockSize: number;
  /** Most tokens in one step (the engine's maxBatchTokens). */
  maxRows: number;
}

function workerUrl(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./tp-worker.js', import.meta.url);
  const built = new URL('../../dist/parallel/tp-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(built))) throw new EngineError('engine-closed', `tensor-parallel worker not built: ${fileURLToPath(built)} is missing`, 'run `npx tsc -b packages/engine` first', 1);
  return built;
}

export class TensorParallelModel implements StepModel {
  private constructor(
    readonly config: StepModelShape,
    readonly weightBytes: number,
    private readonly workers: Worker[],
    private readonly flags: Int32Array,
    private readonly logits: Float32Array,
  ) {}

  static async create(options: TensorParallelOptions): Promise<TensorParallelModel> {
    const config = presetConfig(options.preset);
    const { buffer, controlBuffer } = SharedReducer.allocate(options.world, options.maxRows * config.hiddenSize);
    const logitsBuffer = new SharedArrayBuffer(options.maxRows * config.vocabSize * 4);
    const url = workerUrl();
    const workers = await Promise.all(
      Array.from({ length: options.world }, async (_, rank) => {
        const data: TpWorkerData = { preset: options.preset, seed: options.seed, rank, world: options.world, numBlocks: options.numBlocks, blockSize: options.blockSize, reduceBuffer: buffer, controlBuffer, slotFloats: options.maxRows * config.hiddenSize, logitsBuffer };
        const worker = new Worker(url, { workerData: data });
        await new Promise<void>((resolve, reject) => {
          worker.once('error', reject);
          worker.once('message', () => resolve());
        });
        return worker;
      }),
    );
    const parameters = config.vocabSize * config.hiddenSize + config.numLayers * (2 * config.hiddenSize * (config.numHeads + config.numKvHeads) * config.headDim + 3 * config.hiddenSize * config.intermediateSize);
    return new TensorParallelModel(config, parameters * 4, workers, new Int32Array(controlBuffer), new Float32Array(logitsBuffer));
  }

  forward(input: StepInput): tf.Tensor2D {
    const step = input.attention instanceof PagedAttentionBackend ? input.attention.step : undefined;
    if (!step) throw new EngineError('engine-closed', 'TensorParallelModel.forward needs the engine\'s PagedAttentionBackend inside a step', 'run it through Engine, not forwardStep directly', 1);
    const logitRows = input.logitRows ?? Int32Array.from(input.tokenIds.keys());
    Atomics.store(this.flags, control.done, 0);
    for (const worker of this.workers) worker.postMessage({ type: 'step', step: { tokenIds: input.tokenIds, positions: input.positions, logitRows, layout: step.layout, copies: [...step.copies] } });
    for (let done = Atomics.load(this.flags, control.done); done < this.workers.length; done = Atomics.load(this.flags, control.done)) Atomics.wait(this.flags, control.done, done);
    const vocab = this.config.vocabSize;
    return tf.tensor2d(this.logits.slice(0, logitRows.length * vocab), [logitRows.length, vocab]);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      worker.postMessage({ type: 'close' });
    })));
  }
}
