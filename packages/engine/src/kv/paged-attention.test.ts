import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@chainlm/runtime';
import { Int8KvStore } from './int8-kv-store.js';
import { HostKvStore, WasmHeapKvStore, type KvShape, type KvStore } from './kv-store.js';
import { PagedAttentionBackend } from './paged-attention.js';
import { buildStepLayout, type LayoutSequence } from './step-layout.js';

const shape: KvShape = { numLayers: 2, numKvHeads: 2, headDim: 4, numBlocks: 12, blockSize: 3 };
const numHeads = 4;

function random(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };
}

/** Plain-loop causal attention of one sequence's rows over all its rows so far: the oracle. */
function naiveAttention(q: number[][][], k: number[][][], v: number[][][], start: number): number[][] {
  const groupSize = numHeads / shape.numKvHeads;
  return q.map((headsQ, row) => {
    const position = start + row;
    return headsQ.flatMap((query, head) => {
      const kvHead = Math.floor(head / groupSize);
      const scores = k.slice(0, position + 1).map((key) => key[kvHead].reduce((sum, value, index) => sum + value * query[index], 0) / Math.sqrt(shape.headDim));
      const max = Math.max(...scores);
      const weights = scores.map((score) => Math.exp(score - max));
      const total = weights.reduce((sum, weight) => sum + weight, 0);
      return Array.from({ length: shape.headDim }, (_, index) => weights.reduce((sum, weight, key) => sum + (weight / total) * v[key][kvHead][index], 0));
    });
  });
}

function tensorRows(rows: number[][][]) {
  return tf.tensor3d(rows.flat(2), [rows.length, rows[0].length, rows[0][0].length]);
}

/** Runs three steps of mixed prefill/decode for three sequences and compares every output row with the oracle. */
function runScenario(store: KvStore, tolerance: number) {
  const next = random(7);
  const row = (heads: number) => Array.from({ length: heads }, () => Array.from({ length: shape.headDim }, next));
  const tables = [[4, 0, 5], [2, 7], [11, 1]];
  const history = tables.map(() => ({ k: [[], []] as number[][][][], v: [[], []] as number[][][][] }));
  const backend = new PagedAttentionBackend(store, numHeads);
  // step 1: prefill 5 and 2 tokens; step 2: decode, decode, prefill 3; step 3: decode ×3;
  // step 4: one decode and two equal-length chunks at different starts (one batched group)
  const steps: number[][] = [[5, 2, 0], [1, 1, 3], [1, 1, 1], [2, 2, 1]];
  const computed = [0, 0, 0];
  let worst = 0;
  for (const counts of steps) {
    const sequences: LayoutSequence[] = [];
    const active = counts.map((count, index) => ({ count, index })).filter(({ count }) => count > 0);
    active.sort((a, b) => (a.count === 1 ? 0 : 1) - (b.count === 1 ? 0 : 1)); // decodes first, as the scheduler orders them
    for (const { count, index } of active) sequences.push({ start: computed[index], numTokens: count, blockTable: tables[index] });
    backend.beginStep(buildStepLayout(sequences, shape.blockSize, numHeads / shape.numKvHeads));
    for (let layer = 0; layer < shape.numLayers; layer++) {
      const q: number[][][] = [];
      const k: number[][][] = [];
      const v: number[][][] = [];
      for (const { count, index } of active) {
        for (let t = 0; t < count; t++) {
          q.push(row(numHeads));
          k.push(row(shape.numKvHeads));
          v.push(row(shape.numKvHeads));
          history[index].k[layer].push(k.at(-1)!);
          history[index].v[layer].push(v.at(-1)!);
        }
      }
      const output = tf.tidy(() => backend.attend(layer, tensorRows(q), tensorRows(k), tensorRows(v)).arraySync());
      let offset = 0;
      for (const { count, index } of active) {
        const expected = naiveAttention(q.slice(offset, offset + count), history[index].k[layer], history[index].v[layer], computed[index]);
        for (let t = 0; t < count; t++) {
          for (let c = 0; c < expected[t].length; c++) {
            worst = Math.max(worst, Math.abs(output[offset + t][c] - expected[t][c]));
          }
        }
        offset += count;
      }
    }
    backend.endStep();
    for (const { count, index } of active) computed[index] += count;
  }
  expect(worst).toBeLessThan(tolerance);
}

describe('PagedAttentionBackend', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('matches plain causal attention (GQA, mixed prefill and decode) with in-place wasm heap pools', () => {
    const before = tf.memory().numTensors;
    const store = new WasmHeapKvStore(shape);
    runScenario(store, 1e-5);
    store.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('matches with host pools', () => {
    runScenario(new HostKvStore(shape), 1e-5);
  });

  it('matches within int8 rounding with the int8 KV store, at headDim + 4 bytes per token-head instead of 4 × headDim', () => {
    const store = new Int8KvStore(shape);
    runScenario(store, 0.02);
    expect(store.bytes).toBe(2 * shape.numLayers * shape.numKvHeads * shape.numBlocks * shape.blockSize * (shape.headDim + 4));
  });

  it('copies whole blocks on copy-on-write', () => {
    const store = new HostKvStore({ ...shape, numLayers: 1 });
    const backend = new PagedAttentionBackend(store, numHeads);
    backend.beginStep(buildStepLayout([{ start: 0, numTokens: 2, blockTable: [1] }], shape.blockSize, 2));
    tf.tidy(() => backend.attend(0, tf.ones([2, 4, 4]), tf.fill([2, 2, 4], 3), tf.fill([2, 2, 4], 5)));
    backend.endStep();
    store.copyBlocks([{ src: 1, dst: 6 }]);
    const read = store.read(0, new Int32Array([18, 19, 20]));
    expect(Array.from(read.k.dataSync())).toEqual([3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0]);
    tf.dispose([read.k, read.v]);
  });

  it('refuses attend outside a step', () => {
    const backend = new PagedAttentionBackend(new HostKvStore(shape), numHeads);
    expect(() => tf.tidy(() => backend.attend(0, tf.ones([1, 4, 4]), tf.ones([1, 2, 4]), tf.ones([1, 2, 4])))).toThrow(/beginStep/);
  });
});
