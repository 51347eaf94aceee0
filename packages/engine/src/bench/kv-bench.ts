/**
 * Measures the KV store choice (the design note in kv/paged-attention.ts): one
 * decode step's attention for `batch` sequences of `context` cached tokens, per
 * layer, for each store, interleaved in the same run. Ratio is over wasm-heap.
 */
import { tf } from '@chainlm/runtime';
import { Int8KvStore } from '../kv/int8-kv-store.js';
import { HostKvStore, WasmHeapKvStore, type KvShape, type KvStore } from '../kv/kv-store.js';
import { PagedAttentionBackend } from '../kv/paged-attention.js';
import { buildStepLayout } from '../kv/step-layout.js';
import { round } from './stats.js';

export interface KvBenchRow {
  store: KvStore['kind'];
  batch: number;
  context: number;
  msPerLayer: number;
  /** Over wasm-heap (higher = faster). */
  speedup: number;
  kvMiB: number;
}

export function runKvBench(options: { batch: number; context: number; numHeads: number; numKvHeads: number; headDim: number; repeats: number }): KvBenchRow[] {
  const blockSize = 16;
  const blocksPerSequence = Math.ceil((options.context + 1) / blockSize);
  const shape: KvShape = { numLayers: 1, numKvHeads: options.numKvHeads, headDim: options.headDim, numBlocks: options.batch * blocksPerSequence, blockSize };
  const stores: KvStore[] = tf.getBackend() === 'wasm' ? [new WasmHeapKvStore(shape), new HostKvStore(shape), new Int8KvStore(shape)] : [new HostKvStore(shape), new Int8KvStore(shape)];
  const sequences = Array.from({ length: options.batch }, (_, index) => ({
    start: options.context,
    numTokens: 1,
    blockTable: Array.from({ length: blocksPerSequence }, (_, block) => index * blocksPerSequence + block),
  }));
  const layout = buildStepLayout(sequences, blockSize, options.numHeads / options.numKvHeads);
  const q = tf.randomNormal([options.batch, options.numHeads, options.headDim]) as tf.Tensor3D;
  const kv = tf.randomNormal([options.batch, options.numKvHeads, options.headDim]) as tf.Tensor3D;
  const totals = new Map<KvStore, number>(stores.map((store) => [store, 0]));
  const backends = stores.map((store) => new PagedAttentionBackend(store, options.numHeads));
  for (let repeat = 0; repeat <= options.repeats; repeat++) {
    backends.forEach((backend, index) => {
      backend.beginStep(layout);
      const started = performance.now();
      tf.tidy(() => backend.attend(0, q, kv, kv).dataSync());
      if (repeat > 0) totals.set(stores[index], totals.get(stores[index])! + performance.now() - started); // repeat 0 warms up
      backend.endStep();
    });
  }
  tf.dispose([q, kv]);
  const base = totals.get(stores[0])! / options.repeats;
  const rows = stores.map((store) => {
    const ms = totals.get(store)! / options.repeats;
    return { store: store.kind, batch: options.batch, context: options.context, msPerLayer: round(ms, 2), speedup: round(base / ms, 2), kvMiB: round(store.bytes / 1024 ** 2, 1) };
  });
  for (const store of stores) store.dispose();
  return rows;
}
