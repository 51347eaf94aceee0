import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@chainlm/runtime';
import { MASKED, causalMaskData, scaledDotProductAttention, trainingMask } from './attention.js';
import { batchMatMul } from './matmul.js';
import { concatRows, splitRows } from './rows.js';
import { maxAbsDiff } from './__tests__/fixtures.js';

let liveBackend = 'wasm';
beforeAll(async () => {
  liveBackend = (await initBackend()).tfjsBackend;
});
afterAll(async () => {
  await tf.setBackend(liveBackend);
});

/** Runs fn on a backend with fresh copies of the inputs; returns host arrays. */
async function on(backend: string, inputs: { data: Float32Array; shape: number[] }[], fn: (...tensors: tf.Tensor[]) => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => fn(...inputs.map((input) => tf.tensor(input.data, input.shape))).map((tensor) => tensor.dataSync() as Float32Array));
}

function random(shape: number[], seed: number): { data: Float32Array; shape: number[] } {
  return { data: tf.randomNormal(shape, 0, 1, 'float32', seed).dataSync() as Float32Array, shape };
}

describe('attention', () => {
  it('2-D products and one batched product (wasm) equal the cpu backend, values and gradients', async () => {
    const q = random([2, 5, 6, 4], 1);
    const k = random([2, 7, 2, 4], 2);
    const v = random([2, 7, 2, 4], 3);
    const mask = { data: new Float32Array(2 * 5 * 7).map((_, index) => (index % 3 === 0 ? MASKED : 0)), shape: [2, 1, 5, 7] };
    const run = (products?: 'sliced' | 'batched') => (qt: tf.Tensor, kt: tf.Tensor, vt: tf.Tensor, maskTensor: tf.Tensor): tf.Tensor[] => {
      const attend = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        scaledDotProductAttention(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, { mask: maskTensor, ...(products ? { products } : {}) });
      const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(tf.mul(attend(a, b, c), tf.range(0, 2 * 5 * 24).reshape([2, 5, 24]).div(100)));
      return [attend(qt, kt, vt), ...tf.grads(loss)([qt, kt, vt])];
    };
    const cpu = await on('cpu', [q, k, v, mask], run());
    for (const products of [undefined, 'sliced', 'batched'] as const) {
      const live = await on(liveBackend, [q, k, v, mask], run(products));
      expect(live).toHaveLength(4);
      for (let index = 0; index < 4; index++) expect(maxAbsDiff(live[index]!, cpu[index]!), `${products} output ${index}`).toBeLessThan(1e-5);
    }
  });

  it('batchMatMul and the row split/concat keep order and gradients', async () => {
    const a = random([5, 3, 4], 4);
    const b = random([5, 4, 2], 5);
    const run = (at: tf.Tensor, bt: tf.Tensor): tf.Tensor[] => [
      batchMatMul(at as tf.Tensor3D, bt as tf.Tensor3D),
      ...tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.square(batchMatMul(x as tf.Tensor3D, y as tf.Tensor3D))))([at, bt]),
      concatRows(splitRows(at, 5)),
    ];
    const wasm = await on(liveBackend, [a, b], run);
    const cpu = await on('cpu', [a, b], run);
    for (let index = 0; index < 3; index++) expect(maxAbsDiff(wasm[index]!, cpu[index]!)).toBeLessThan(1e-5);
    expect(wasm[3]).toEqual(a.data);
    await tf.setBackend(liveBackend);
    const parts = tf.tidy(() => splitRows(tf.range(0, 7), 7).map((part) => part.dataSync()[0]));
    expect(parts).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('builds causal, packed and padded masks', async () => {
    await tf.setBackend(liveBackend);
    expect([...causalMaskData([2, 3], 4)]).toEqual([0, 0, 0, MASKED, 0, 0, 0, 0]);
    const packed = tf.tidy(() => [...trainingMask(1, 4, [1, 1, 2, 2]).dataSync()]);
    expect(packed.map((value) => (value === 0 ? 1 : 0))).toEqual([1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1]);
    const padded = tf.tidy(() => [...trainingMask(1, 3, undefined, [0, 1, 1]).dataSync()]);
    expect(padded.map((value) => (value === 0 ? 1 : 0))).toEqual([0, 0, 0, 0, 1, 0, 0, 1, 1]);
    expect(tf.tidy(() => trainingMask(3, 4).shape)).toEqual([1, 1, 4, 4]);
  });
});
