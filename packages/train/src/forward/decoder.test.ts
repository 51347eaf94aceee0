import { classifierMatrix, createModel, forward, linear, presetConfig, type Model } from '@chainlm/model';
import { initBackend, tf } from '@chainlm/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { maskedCrossEntropySum } from '../loop/loss.js';
import { SeededRandom } from '@chainlm/core';
import * as frozenModule from './decoder.js';
import { maxAbsDifference } from '../__tests__/fixtures.js';
import { decoderHidden } from './decoder.js';
import { classifierLossSum, classifierLossSumWithGrad } from './fused-loss.js';

const config = presetConfig('tiny', { vocabSize: 300, hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 4, numKvHeads: 2, maxPositionEmbeddings: 32 });
const [batch, seq] = [2, 7];
let model: Model;
let ids: tf.Tensor2D;
const rng = new SeededRandom(5);
const targets = Int32Array.from({ length: batch * seq }, () => rng.below(config.vocabSize));
const mask = Float32Array.from({ length: batch * seq }, (_, index) => (index % 5 === 2 ? 0 : 1));
const segmentIds = [0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0, 0, 2, 2];

beforeAll(async () => {
  await initBackend();
  model = createModel(config, undefined, { seed: 4 });
  ids = tf.tensor2d(Int32Array.from({ length: batch * seq }, () => rng.below(config.vocabSize)), [batch, seq], 'int32');
});

describe('decoderHidden', () => {
  it('gives the same logits as the model forward, with and without packing', () => {
    for (const segments of [undefined, segmentIds]) {
      const expected = forward(model, ids, segments ? { segmentIds: segments } : {}).dataSync();
      const actual = tf.tidy(() => linear(decoderHidden(model, new Map(), ids, segments), classifierMatrix(model, true))).dataSync();
      expect(maxAbsDifference(actual, expected)).toBeLessThan(1e-6);
    }
  });

  it('applies a hook: a replaced weight and an added delta', () => {
    const module = 'model.layers.0.self_attn.q_proj';
    const base = tf.tidy(() => decoderHidden(model, new Map(), ids)).dataSync();
    const same = tf.tidy(() => decoderHidden(model, new Map([[module, { weight: () => model.layers[0].q.clone() as tf.Tensor2D, delta: (x) => tf.zerosLike(tf.matMul(x, model.layers[0].q)) as tf.Tensor2D }]]), ids)).dataSync();
    expect(maxAbsDifference(same, base)).toBeLessThan(1e-6);
    const moved = tf.tidy(() => decoderHidden(model, new Map([[module, { delta: (x) => tf.onesLike(tf.matMul(x, model.layers[0].q)) as tf.Tensor2D }]]), ids)).dataSync();
    expect(maxAbsDifference(moved, base)).toBeGreaterThan(1e-3);
  });
});

describe('fused classifier loss', () => {
  it('equals the loss on full logits, in value and in gradient', () => {
    const vars = model.parameters().map(({ variable }) => variable);
    const reference = tf.variableGrads(() => maskedCrossEntropySum(forward(model, ids), tf.tensor2d(targets, [batch, seq], 'int32'), tf.tensor2d(mask, [batch, seq])), vars);
    const fused = tf.variableGrads(() => classifierLossSumWithGrad(decoderHidden(model, new Map(), ids), classifierMatrix(model, true), { targets, mask }), vars);
    const lossOnly = tf.tidy(() => classifierLossSum(decoderHidden(model, new Map(), ids), classifierMatrix(model, true), { targets, mask }));
    expect(fused.value.dataSync()[0]).toBeCloseTo(reference.value.dataSync()[0], 4);
    expect(lossOnly.dataSync()[0]).toBeCloseTo(reference.value.dataSync()[0], 4);
    for (const variable of vars) {
      const expected = reference.grads[variable.name].dataSync();
      const actual = fused.grads[variable.name].dataSync();
      expect(maxAbsDifference(actual, expected), variable.name).toBeLessThan(1e-5);
    }
  });
});

describe('frozenLinear', () => {
  it('gives x·W and the gradient for x only', () => {
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const w = tf.tensor2d([1, 0, 2, 1, -1, 3], [2, 3]);
    const { frozenLinear } = frozenModule;
    expect(Array.from(frozenLinear(x, w).dataSync())).toEqual(Array.from(tf.matMul(x, w).dataSync()));
    const gradient = tf.grad((input: tf.Tensor) => tf.sum(frozenLinear(input as tf.Tensor2D, w)))(x);
    // d/dx Σ x·W = 1·Wᵀ: row sums of W.
    expect(Array.from(gradient.dataSync())).toEqual([3, 3, 3, 3]);
  });
});
