/**
 * Tensor parallelism across worker threads (latency at small batch): a StepModel
 * whose forward fans the step out to `world` ranks (tp-worker.ts), each holding a
 * slice of every layer and its own KV heads, which meet in all-reduces through a
 * SharedArrayBuffer; the front blocks on Atomics.wait until every rank has written
 * its vocab slice of the logits. The engine's scheduler, block tables and sampling
 * are unchanged: the step layout and block copies come from the engine's
 * PagedAttentionBackend (`step`), whose own pools then go unused.
 *
 * Failure: the front's wait has a deadline (`stepTimeoutMs`) and wakes when any rank
 * marks the step failed (all-reduce.ts). A failed or timed-out step throws
 * `engine-rank-failed`, and the model stays failed (`failure`): the ranks' KV and
 * barrier state are no longer in lockstep, so the Engine finishes every pending
 * request with the error and refuses new ones. A rank that exits between steps is
 * seen through its 'exit' event and fails the next step at once.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { presetConfig } from '@chainlm/model';
import { tf } from '@chainlm/runtime';
import { EngineError } from '../errors.js';
import { PagedAttentionBackend } from '../kv/paged-attention.js';
import type { StepInput, StepModel, StepModelShape } from '../model-contract.js';
import { SharedReducer, control, signalFailure } from './all-reduce.js';
import type { TpWorkerData } from './tp-worker.js';

export interface TensorParallelOptions {
  preset: string;
  seed: number;
  world: number;
  numBlocks: number;
  blockSize: number;
  /** Most tokens in one step (the engine's maxBatchTokens). */
  maxRows: number;
  /** Longest the front (and a rank in a barrier) waits for one step, ms. Default 120 000. */
  stepTimeoutMs?: number;
  /** TEST ONLY: rank `rank` throws (or exits without a word) in its `step`-th step (1-based), to test that nothing hangs. */
  testOnlyFault?: { rank: number; step: number; kind?: 'throw' | 'exit' };
}

function workerUrl(): URL {
  if (!import.meta.url.endsWith('.ts')) return new URL('./tp-worker.js', import.meta.url);
  const built = new URL('../../dist/parallel/tp-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(built))) throw new EngineError('engine-closed', `tensor-parallel worker not built: ${fileURLToPath(built)} is missing`, 'run `npx tsc -b packages/engine` first', 1);
  return built;
}

export class TensorParallelModel implements StepModel {
  /** Set once a rank failed or a step timed out; every later forward throws it. */
  failure: EngineError | undefined;

  private constructor(
    readonly config: StepModelShape,
    readonly weightBytes: number,
    private readonly workers: Worker[],
    private readonly failurePorts: MessagePort[],
    private readonly flags: Int32Array,
    private readonly logits: Float32Array,
    private readonly stepTimeoutMs: number,
  ) {
    workers.forEach((worker, rank) => {
      worker.on('error', (error) => this.fail(`rank ${rank} stopped: ${error.message}`));
      worker.on('exit', (code) => this.fail(`rank ${rank} exited (code ${code})`));
    });
  }

  static async create(options: TensorParallelOptions): Promise<TensorParallelModel> {
    const config = presetConfig(options.preset);
    const { buffer, controlBuffer } = SharedReducer.allocate(options.world, options.maxRows * config.hiddenSize);
    const logitsBuffer = new SharedArrayBuffer(options.maxRows * config.vocabSize * 4);
    const stepTimeoutMs = options.stepTimeoutMs ?? 120_000;
    const url = workerUrl();
    const ports: MessagePort[] = [];
    const workers = await Promise.all(
      Array.from({ length: options.world }, async (_, rank) => {
        const channel = new MessageChannel();
        ports[rank] = channel.port1;
        const data: TpWorkerData = { preset: options.preset, seed: options.seed, rank, world: options.world, numBlocks: options.numBlocks, blockSize: options.blockSize, reduceBuffer: buffer, controlBuffer, slotFloats: options.maxRows * config.hiddenSize, logitsBuffer, waitTimeoutMs: stepTimeoutMs, failurePort: channel.port2, ...(options.testOnlyFault ? { testOnlyFault: options.testOnlyFault } : {}) };
        const worker = new Worker(url, { workerData: data, transferList: [channel.port2] });
        await new Promise<void>((resolve, reject) => {
          worker.once('error', reject);
          worker.once('message', () => resolve());
        });
        return worker;
      }),
    );
    const parameters = config.vocabSize * config.hiddenSize + config.numLayers * (2 * config.hiddenSize * (config.numHeads + config.numKvHeads) * config.headDim + 3 * config.hiddenSize * config.intermediateSize);
    return new TensorParallelModel(config, parameters * 4, workers, ports, new Int32Array(controlBuffer), new Float32Array(logitsBuffer), stepTimeoutMs);
  }

  forward(input: StepInput): tf.Tensor2D {
    if (this.failure) throw this.failure;
    const step = input.attention instanceof PagedAttentionBackend ? input.attention.step : undefined;
    if (!step) throw new EngineError('engine-closed', 'TensorParallelModel.forward needs the engine\'s PagedAttentionBackend inside a step', 'run it through Engine, not forwardStep directly', 1);
    const logitRows = input.logitRows ?? Int32Array.from(input.tokenIds.keys());
    Atomics.store(this.flags, control.done, 0);
    for (const worker of this.workers) worker.postMessage({ type: 'step', step: { tokenIds: input.tokenIds, positions: input.positions, logitRows, layout: step.layout, copies: [...step.copies] } });
    this.waitForRanks();
    const vocab = this.config.vocabSize;
    return tf.tensor2d(this.logits.slice(0, logitRows.length * vocab), [logitRows.length, vocab]);
  }

  /** Blocks until every rank wrote its logits; throws (and stays failed) when one failed or the deadline passed. */
  private waitForRanks(): void {
    const deadline = performance.now() + this.stepTimeoutMs;
    for (let done = Atomics.load(this.flags, control.done); done < this.workers.length; done = Atomics.load(this.flags, control.done)) {
      if (Atomics.load(this.flags, control.failed) !== 0) throw this.fail(this.rankReport() ?? 'a rank failed without a report');
      const left = deadline - performance.now();
      if (left <= 0) {
        signalFailure(this.flags, this.workers.length + 1);
        throw this.fail(`the step did not finish within ${this.stepTimeoutMs} ms (a rank is stuck or died)`);
      }
      Atomics.wait(this.flags, control.done, done, left);
    }
  }

  /** The first failure report a rank sent, read synchronously (the event loop is not running here). */
  private rankReport(): string | undefined {
    for (const port of this.failurePorts) {
      const report = receiveMessageOnPort(port)?.message as { rank: number; message: string } | undefined;
      if (report) return `rank ${report.rank} threw: ${report.message}`;
    }
    return undefined;
  }

  private fail(reason: string): EngineError {
    this.failure ??= new EngineError('engine-rank-failed', `tensor-parallel model failed: ${reason}`, 'the ranks are out of step; close this engine and start a new one (see the log for the rank\'s error)', 1);
    signalFailure(this.flags, this.workers.length + 1);
    return this.failure;
  }

  async close(): Promise<void> {
    for (const worker of this.workers) worker.removeAllListeners('exit');
    // terminate, not a 'close' message: a failed rank may be stuck in a wait.
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    for (const port of this.failurePorts) port.close();
  }
}
