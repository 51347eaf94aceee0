/**
 * The trainer decides, the engine computes. The trainer owns the flat parameter
 * buffer, the optimizer, the data order, checkpoints and metrics; an engine owns
 * model replicas and turns batches into gradients. Two engines implement this:
 * the in-process one (one replica on this thread) and the worker pool (one replica
 * per worker thread, gradients summed through SharedArrayBuffer).
 */
import type { TrainBatch } from '../data/train-batch.js';
import type { ParamLayout } from '../optim/layout.js';

export interface LossSum {
  /** Σ −log p(target) over counted positions. */
  lossSum: number;
  /** Counted positions. */
  tokens: number;
}

export interface GradientEngine {
  /** Trainable parameters, in the order of the flat buffers. */
  readonly layout: ParamLayout;
  /** Copies the replicas' current trainable parameters into `out`. */
  readParams(out: Float32Array): Promise<void>;
  /** Sets every replica's trainable parameters from `params`. */
  writeParams(params: Float32Array): Promise<void>;
  /**
   * grads ← Σ over `microBatches` of ∂(masked loss SUM)/∂θ (overwrites `grads`).
   * `dropoutSeed` makes dropout masks a function of the step, so resumes replay them.
   */
  accumulateGradients(microBatches: TrainBatch[], dropoutSeed: number, grads: Float32Array): Promise<LossSum>;
  evaluate(batches: TrainBatch[]): Promise<LossSum>;
  dispose(): Promise<void>;
}
