/**
 * The training loop. Per optimizer step: take `gradAccumulation` micro-batches in
 * the sampler's order, let the engine sum gradients of the masked loss, divide by
 * the counted tokens (so the loss is a mean over every counted token of the step,
 * however it was split), clip, AdamW, push the new parameters to the replicas.
 * Everything that decides what happens next (parameters, optimizer moments, RNG,
 * data position, counters) is in the checkpoint, so a resumed run repeats the
 * uninterrupted run bit for bit on the same backend.
 */
import { SeededRandom, type EventBus } from '@chainlm/core';
import type { WeightMap } from '@chainlm/model';
import { saveCheckpoint, type CheckpointState, type LoadedCheckpoint, type SavedCheckpoint } from '../checkpoint/checkpoint.js';
import type { TrainConfig } from '../config/schema.js';
import type { PackedRows } from '@chainlm/data';
import { makeBatch, type TrainBatch } from '../data/train-batch.js';
import { BatchSampler } from '../data/sampler.js';
import { trainError, trainErrorCodes } from '../errors.js';
import { AdamW } from '../optim/adamw.js';
import { clipGlobalNorm } from '../optim/clip.js';
import type { ParamLayout } from '../optim/layout.js';
import { learningRateAt } from '../optim/schedule.js';
import type { GradientEngine } from './engine.js';
import type { RunStore } from './run-store.js';

export interface TrainerInput {
  config: TrainConfig;
  store: RunStore;
  engine: GradientEngine;
  train: PackedRows;
  val: PackedRows;
  events: EventBus;
  resumeFrom?: LoadedCheckpoint;
  /** Called after each checkpoint is on disk (e.g. to record it in the registry). */
  onCheckpoint?: (saved: SavedCheckpoint) => Promise<void>;
}

export interface TrainResult {
  steps: number;
  initialValLoss: number;
  finalTrainLoss: number;
  finalValLoss: number;
  finalValPerplexity: number;
  /** Mean training throughput over the steps this process ran (input tokens/s). */
  tokensPerSecond: number;
  checkpoint: string;
  elapsedSeconds: number;
  /** Final trainable parameters by name (views into the trainer's buffer). */
  weights: WeightMap;
}

export function totalSteps(config: TrainConfig, trainRows: number): number {
  const rowsPerStep = config.batchSize * config.gradAccumulation;
  const byEpochs = config.epochs === undefined ? Infinity : Math.max(1, Math.ceil((config.epochs * trainRows) / rowsPerStep));
  return Math.min(config.maxSteps ?? Infinity, byEpochs);
}

interface StepContext {
  config: TrainConfig;
  engine: GradientEngine;
  train: PackedRows;
  sampler: BatchSampler;
  rng: SeededRandom;
  optimizer: AdamW;
  /** [layout.size] the trainer's parameters and gradient buffers, allocated once. */
  params: Float32Array;
  grads: Float32Array;
  total: number;
  run: string;
}

interface StepOutcome {
  loss: number;
  lr: number;
  gradNorm: number;
  seconds: number;
  /** Input positions of the step (rows × seqLen over all micro-batches). */
  tokens: number;
}

/** One optimizer step: gradients of the step's micro-batches, mean over counted tokens, clip, AdamW, push. */
async function trainStep(context: StepContext, step: number): Promise<StepOutcome> {
  const { config, engine, train, sampler, rng, optimizer, params, grads } = context;
  const started = performance.now();
  const microBatches: TrainBatch[] = [];
  for (let micro = 0; micro < config.gradAccumulation; micro++) microBatches.push(makeBatch(train, sampler.next(config.batchSize)));
  const lr = learningRateAt(step, config.optimizer.lr, context.total, config.schedule);
  const dropoutSeed = rng.below(2 ** 31);
  const { lossSum, tokens } = await engine.accumulateGradients(microBatches, dropoutSeed, grads);
  if (!Number.isFinite(lossSum)) {
    throw trainError(trainErrorCodes.nonFinite, `loss became ${lossSum} at step ${step + 1} of run ${context.run}`, 'lower optimizer.lr or raise schedule.warmupSteps, then resume from the last checkpoint');
  }
  const scale = 1 / Math.max(1, tokens);
  for (let index = 0; index < grads.length; index++) grads[index] *= scale;
  const gradNorm = clipGlobalNorm(grads, config.clipGradNorm);
  optimizer.update(params, grads, lr);
  await engine.writeParams(params);
  const stepTokens = microBatches.reduce((sum, batch) => sum + batch.rows * batch.seqLen, 0);
  return { loss: lossSum / Math.max(1, tokens), lr, gradNorm, seconds: (performance.now() - started) / 1000, tokens: stepTokens };
}

function initialState(config: TrainConfig): CheckpointState {
  return {
    step: 0,
    rngState: new SeededRandom(config.seed).state,
    dataPosition: { epoch: 0, cursor: 0 },
    tokensSeen: 0,
    elapsedSeconds: 0,
    initialValLoss: null,
    lastValLoss: null,
    lastTrainLoss: null,
  };
}

export async function runTrainer(input: TrainerInput): Promise<TrainResult> {
  const { config, store, engine, train, val, events } = input;
  const layout = engine.layout;
  store.ensureDir();
  const params = new Float32Array(layout.size);
  const optimizer = new AdamW(layout, config.optimizer);
  const state: CheckpointState = input.resumeFrom ? { ...initialState(config), ...input.resumeFrom.state } : initialState(config);
  if (input.resumeFrom) {
    optimizer.load(input.resumeFrom.optimizer);
    fillParams(params, layout, input.resumeFrom.weights, input.resumeFrom.path);
    await engine.writeParams(params);
  } else {
    await engine.readParams(params);
  }
  const total = totalSteps(config, train.rows);
  const sampler = new BatchSampler(train.rows, config.seed, state.dataPosition);
  const rng = new SeededRandom(state.rngState);
  const context: StepContext = { config, engine, train, sampler, rng, optimizer, params, grads: new Float32Array(layout.size), total, run: store.run };
  const valBatches = validationBatches(val, config);
  const task = events.task(`train:${store.run}`, { label: `train ${store.run}`, total, unit: 'step' });
  let lastCheckpoint: SavedCheckpoint | undefined;
  let throughput = { tokens: 0, seconds: 0 };
  try {
    task.update(state.step);
    state.initialValLoss ??= await evaluate(engine, valBatches, store, 0, task);
    while (state.step < total) {
      const outcome = await trainStep(context, state.step);
      throughput = { tokens: throughput.tokens + outcome.tokens, seconds: throughput.seconds + outcome.seconds };
      Object.assign(state, {
        step: state.step + 1,
        tokensSeen: state.tokensSeen + outcome.tokens,
        elapsedSeconds: state.elapsedSeconds + outcome.seconds,
        dataPosition: sampler.current,
        rngState: rng.state,
        lastTrainLoss: outcome.loss,
      });
      store.append({ step: state.step, loss: outcome.loss, lr: outcome.lr, gradNorm: outcome.gradNorm, tokensPerSecond: outcome.tokens / outcome.seconds, elapsed: state.elapsedSeconds, tokens: state.tokensSeen, epoch: sampler.epochs });
      task.metric('loss', outcome.loss, state.step);
      task.update(state.step, `loss ${outcome.loss.toFixed(4)}`);
      if (state.step % config.evalInterval === 0 || state.step === total) state.lastValLoss = await evaluate(engine, valBatches, store, state.step, task);
      if (state.step % config.checkpointInterval === 0 || state.step === total) {
        lastCheckpoint = await saveCheckpoint(store.checkpointsDir, { weights: weightsOf(params, layout), layout, optimizer: optimizer.state(), state, keepLast: config.keepLast });
        await input.onCheckpoint?.(lastCheckpoint);
      }
    }
  } catch (error) {
    task.fail(error);
    throw error;
  }
  const finalValLoss = state.lastValLoss ?? state.initialValLoss;
  task.finish({ steps: state.step, finalValLoss });
  return {
    steps: state.step,
    initialValLoss: state.initialValLoss,
    finalTrainLoss: state.lastTrainLoss ?? Number.NaN,
    finalValLoss,
    finalValPerplexity: Math.exp(finalValLoss),
    tokensPerSecond: throughput.seconds > 0 ? throughput.tokens / throughput.seconds : 0,
    checkpoint: lastCheckpoint?.path ?? input.resumeFrom?.path ?? '',
    elapsedSeconds: state.elapsedSeconds,
    weights: weightsOf(params, layout),
  };
}

async function evaluate(engine: GradientEngine, batches: TrainBatch[], store: RunStore, step: number, task: { metric(name: string, value: number, step?: number): void }): Promise<number> {
  const { lossSum, tokens } = await engine.evaluate(batches);
  const valLoss = lossSum / Math.max(1, tokens);
  store.append({ step, valLoss, valPerplexity: Math.exp(valLoss) });
  task.metric('valLoss', valLoss, step);
  return valLoss;
}

/** The first evalBatches × batchSize validation rows, in order, every evaluation. */
export function validationBatches(val: PackedRows, config: Pick<TrainConfig, 'batchSize' | 'evalBatches' | 'workers'>): TrainBatch[] {
  const batches: TrainBatch[] = [];
  for (let batch = 0; batch < config.evalBatches; batch++) {
    const start = batch * config.batchSize;
    if (start + config.batchSize > val.rows) break;
    batches.push(makeBatch(val, Array.from({ length: config.batchSize }, (_, index) => start + index)));
  }
  if (batches.length === 0) {
    throw trainError(trainErrorCodes.dataTooSmall, `the validation split has ${val.rows} rows, fewer than one batch of ${config.batchSize}`, 'raise data.valFraction, lower batchSize or give more data');
  }
  return batches;
}

export function weightsOf(params: Float32Array, layout: ParamLayout): WeightMap {
  const weights: WeightMap = new Map();
  for (const slot of layout.slots) weights.set(slot.name, { shape: slot.shape, dtype: 'F32', data: params.subarray(slot.offset, slot.offset + slot.size) });
  return weights;
}

function fillParams(params: Float32Array, layout: ParamLayout, weights: WeightMap, source: string): void {
  for (const slot of layout.slots) {
    const tensor = weights.get(slot.name);
    if (!tensor || tensor.data.length !== slot.size) {
      throw trainError(trainErrorCodes.checkpointCorrupt, `${source}: weight ${slot.name} is missing or has the wrong size`, 'resume the checkpoint with the config of the run that wrote it');
    }
    params.set(tensor.data, slot.offset);
  }
}
