/**
 * Design note — the paged KV cache as the model's AttentionBackend.
 *
 * Per step the runner calls `beginStep(layout)` (slot maps and masks, uploaded once
 * and shared by all layers), runs the model's forward, then `endStep()`. Per layer
 * `attend` (1) writes the step's new K/V rows into the pools at their slots, then
 * (2) per row group reads the group's keys [numKvHeads, batch × keys, headDim] from
 * the pools and runs batched attention:
 *   q [rows, H, D] → [KVH·batch, G·Q, D]      (G = H / KVH query heads per KV head)
 *   scores = q·kᵀ/√D + mask → softmax → ·v     → [KVH·batch, G·Q, D] → [rows, H·D]
 * Two tf.matMul calls per group whatever the batch: on wasm (~12 µs per op) op count,
 * not FLOPs, dominates attention for these model sizes.
 *
 * Measured (`chainlm-engine bench kv`, wasm, 2 cores; docs/benchmarks/engine.md):
 * one decode step of 32 sequences × 256 cached tokens took ~73 ms per layer with
 * the wasm-heap store reading through tf.gather (the wasm GatherV2 kernel walks
 * element by element) and ~5 ms with host Float32Array pools, whose reads are one
 * memcpy per block run into a staging array that becomes one tensor: 15×. So
 * `kvStore: 'auto'` picks the host store on every backend. The wasm-heap store now
 * reads by block-run memmoves inside the heap into a fresh output tensor (no staging
 * copy, no JS objects per run): on par with the host store, 0–5% faster in static
 * decode A/B runs — within this machine's noise, so auto still picks host (whose
 * pools are not bounded by the wasm heap). The int8 store dequantizes in JS: ~2× the
 * host store's time for a quarter of the bytes plus one scale per token-head.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '@chainlm/runtime';
import type { AttentionBackend } from '../model-contract.js';
import type { BlockCopy } from '../block/block-manager.js';
import type { KvStore } from './kv-store.js';
import type { AttentionGroup, StepLayout } from './step-layout.js';

interface UploadedGroup {
  group: AttentionGroup;
  mask: tfTypes.Tensor2D; // [1, batch·G·Q·keys]
}

export class PagedAttentionBackend implements AttentionBackend {
  private groups: UploadedGroup[] = [];
  private layout: StepLayout | undefined;
  private copies: readonly BlockCopy[] = [];

  constructor(
    readonly store: KvStore,
    readonly numHeads: number,
  ) {}

  get groupSize(): number {
    return this.numHeads / this.store.shape.numKvHeads;
  }

  /** The current step's layout and block copies (for a model that keeps its own KV, e.g. tensor parallel shards). */
  get step(): { layout: StepLayout; copies: readonly BlockCopy[] } | undefined {
    return this.layout ? { layout: this.layout, copies: this.copies } : undefined;
  }

  beginStep(layout: StepLayout, copies: readonly BlockCopy[] = []): void {
    this.endStep();
    this.layout = layout;
    this.copies = copies;
    this.groups = layout.groups.map((group) => ({ group, mask: tf.keep(tf.tensor2d(group.mask, [1, group.mask.length])) }));
  }

  endStep(): void {
    for (const uploaded of this.groups) uploaded.mask.dispose();
    this.groups = [];
    this.layout = undefined;
  }

  attend(layer: number, q: tfTypes.Tensor3D, k: tfTypes.Tensor3D, v: tfTypes.Tensor3D): tfTypes.Tensor2D {
    if (!this.layout) throw new Error('PagedAttentionBackend.attend called outside beginStep/endStep (a runner bug)');
    this.store.write(layer, this.layout.writeSlots, k, v);
    const outputs = this.groups.map((uploaded) => this.attendGroup(layer, uploaded, q));
    return outputs.length === 1 ? outputs[0] : tf.concat(outputs, 0);
  }

  private attendGroup(layer: number, { group, mask }: UploadedGroup, q: tfTypes.Tensor3D): tfTypes.Tensor2D {
    const { batch, queryLength, keyLength, rowStart } = group;
    const [rows, numHeads, headDim] = q.shape;
    const numKvHeads = this.store.shape.numKvHeads;
    const groupSize = numHeads / numKvHeads;
    const groupRows = batch * queryLength;
    const queries = groupRows === rows ? q : tf.slice(q, [rowStart, 0, 0], [groupRows, numHeads, headDim]);
    // [batch, Q, KVH, G, D] → [KVH, batch, G, Q, D] → [KVH·batch, G·Q, D]
    const grouped = tf.reshape(tf.transpose(tf.reshape(queries, [batch, queryLength, numKvHeads, groupSize, headDim]), [2, 0, 3, 1, 4]), [numKvHeads * batch, groupSize * queryLength, headDim]);
    const scaled = tf.mul(grouped, 1 / Math.sqrt(headDim));
    const { k: keys, v: values } = this.store.read(layer, group.keySlots); // [KVH, batch·keys, D]
    const scores = tf.matMul(scaled, tf.reshape(keys, [numKvHeads * batch, keyLength, headDim]), false, true); // [KVH·batch, G·Q, keys]
    const masked = tf.add(tf.reshape(scores, [numKvHeads, -1]), mask);
    const probabilities = tf.softmax(tf.reshape(masked, [-1, keyLength]));
    const context = tf.matMul(tf.reshape(probabilities, [numKvHeads * batch, groupSize * queryLength, keyLength]), tf.reshape(values, [numKvHeads * batch, keyLength, headDim]));
    // [KVH, batch, G, Q, D] → [batch, Q, KVH, G, D] → [rows, H·D]
    return tf.reshape(tf.transpose(tf.reshape(context, [numKvHeads, batch, groupSize, queryLength, headDim]), [1, 3, 0, 2, 4]), [groupRows, numHeads * headDim]);
  }
}
