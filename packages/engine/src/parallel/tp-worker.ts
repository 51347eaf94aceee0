/**
 * A tensor-parallel rank: holds one shard and its own KV pools (its KV heads only),
 * and runs every step in lockstep with the other ranks, meeting them in two
 * all-reduces per layer (after o_proj and after down_proj). Its classifier slice's
 * logits go to a shared region the front reads. A step that throws marks the shared
 * `failed` word and wakes everyone (all-reduce.ts), and its message goes to the front
 * on `failurePort`, which the front reads synchronously (it is blocked in Atomics.wait).
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { initBackend, tf } from '@chainlm/runtime';
import { attentionInputs, createModel, presetConfig, rmsNorm, ropeBase, ropeTensors } from '@chainlm/model';
import { HostKvStore } from '../kv/kv-store.js';
import { PagedAttentionBackend } from '../kv/paged-attention.js';
import type { StepLayout } from '../kv/step-layout.js';
import type { BlockCopy } from '../block/block-manager.js';
import { SharedReducer, TpAbort, control, signalFailure } from './all-reduce.js';
import { makeShard } from './tp-shard.js';

export interface TpWorkerData {
  preset: string;
  seed: number;
  rank: number;
  world: number;
  numBlocks: number;
  blockSize: number;
  reduceBuffer: SharedArrayBuffer;
  controlBuffer: SharedArrayBuffer;
  slotFloats: number;
  logitsBuffer: SharedArrayBuffer;
  /** Longest wait in one barrier, ms. */
  waitTimeoutMs: number;
  /** Where this rank reports why a step failed. */
  failurePort: MessagePort;
  /** TEST ONLY: this rank throws (or exits without a word) in the given step (1-based), before its first all-reduce. */
  testOnlyFault?: { rank: number; step: number; kind?: 'throw' | 'exit' };
}

export interface TpStep {
  tokenIds: Int32Array;
  positions: Int32Array;
  logitRows: Int32Array;
  layout: StepLayout;
  copies: BlockCopy[];
}

const data = workerData as TpWorkerData;
await initBackend();
const full = createModel(presetConfig(data.preset), undefined, { seed: data.seed });
const shard = makeShard(full, data.rank, data.world);
const config = shard.model.config;
const store = new HostKvStore({ numLayers: config.numLayers, numKvHeads: config.numKvHeads, headDim: config.headDim, numBlocks: data.numBlocks, blockSize: data.blockSize });
const attention = new PagedAttentionBackend(store, config.numHeads);
const reducer = new SharedReducer(data.reduceBuffer, data.controlBuffer, data.world, data.slotFloats, data.waitTimeoutMs);
const flags = new Int32Array(data.controlBuffer);
const logits = new Float32Array(data.logitsBuffer);

function allReduce(partial: tf.Tensor2D): tf.Tensor2D {
  return tf.tensor2d(reducer.allReduce(data.rank, partial.dataSync() as Float32Array), partial.shape);
}

let steps = 0;

function runStep(step: TpStep): void {
  steps++;
  if (data.testOnlyFault?.rank === data.rank && data.testOnlyFault.step === steps) {
    if (data.testOnlyFault.kind === 'exit') process.exit(70);
    throw new Error(`test-only fault injected in rank ${data.rank} at step ${steps}`);
  }
  store.copyBlocks(step.copies);
  attention.beginStep(step.layout);
  const rows = step.tokenIds.length;
  tf.tidy(() => {
    const rope = ropeTensors(config, step.positions, [rows], ropeBase(config, Math.max(...step.positions) + 1));
    let x = tf.gather(shard.model.embedding, tf.tensor1d(step.tokenIds, 'int32')) as tf.Tensor2D; // [T, dim]
    for (let layer = 0; layer < config.numLayers; layer++) {
      const weights = shard.model.layers[layer];
      const { q, k, v } = attentionInputs(shard.model, layer, x, [rows], rope, rope);
      const attended = attention.attend(layer, q as tf.Tensor3D, k as tf.Tensor3D, v as tf.Tensor3D); // [T, (H/w)·d]
      x = tf.add(x, allReduce(tf.matMul(attended, weights.o))) as tf.Tensor2D;
      if (weights.oBias) x = tf.add(x, weights.oBias) as tf.Tensor2D;
      const h = rmsNorm(x, weights.mlpNorm, config.rmsNormEps);
      const gate = tf.matMul(h, weights.gate);
      x = tf.add(x, allReduce(tf.matMul(tf.mul(tf.mul(gate, tf.sigmoid(gate)), tf.matMul(h, weights.up)) as tf.Tensor2D, weights.down))) as tf.Tensor2D;
    }
    const selected = tf.gather(x, tf.tensor1d(step.logitRows, 'int32')) as tf.Tensor2D;
    const part = tf.matMul(rmsNorm(selected, shard.model.finalNorm, config.rmsNormEps), shard.classifier); // [R, vocab slice]
    const values = part.dataSync() as Float32Array;
    const vocab = full.config.vocabSize;
    for (let row = 0; row < step.logitRows.length; row++) logits.set(values.subarray(row * shard.vocabSize, (row + 1) * shard.vocabSize), row * vocab + shard.vocabStart);
  });
  attention.endStep();
  Atomics.add(flags, control.done, 1);
  Atomics.notify(flags, control.done);
}

parentPort!.on('message', (message: { type: 'step'; step: TpStep } | { type: 'close' }) => {
  if (message.type === 'close') {
    process.exit(0);
  }
  try {
    runStep(message.step);
  } catch (error) {
    // Woken by a peer's failure: that peer reports; this rank only stops.
    if (!(error instanceof TpAbort && error.byPeer)) data.failurePort.postMessage({ rank: data.rank, message: (error as Error).message ?? String(error) });
    signalFailure(flags, data.rank + 1);
  }
});
parentPort!.postMessage({ type: 'ready' });
