import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@chainlm/runtime';
import type { ModelConfig } from '../config/index.js';
import { createModel, forward, forwardStep, KvCache, packedPositions } from './index.js';
import { referenceLogits } from './__tests__/reference.js';
import { maxAbsDiff, randomTokens, randomWeights, tinyConfig } from './__tests__/fixtures.js';

beforeAll(async () => {
  await initBackend();
});

const cases: [string, Partial<ModelConfig>][] = [
  ['llama, MHA, untied', {}],
  ['llama, GQA, tied, attention_bias, linear rope scaling', { numKvHeads: 2, tieWordEmbeddings: true, attentionBias: true, ropeScaling: { type: 'linear', factor: 4 } }],
  ['internlm, q/k/v/o biases, dynamic NTK past max positions', { architecture: 'internlm', attentionBias: true, maxPositionEmbeddings: 8, ropeScaling: { type: 'dynamic', factor: 2 } }],
  ['internlm2, packed wqkv with G=3, dynamic NTK', { architecture: 'internlm2', numHeads: 6, numKvHeads: 2, headDim: 4, maxPositionEmbeddings: 8, ropeScaling: { type: 'dynamic', factor: 3 }, ropeTheta: 1e6 }],
  ['internlm2 with wqkv/wo biases', { architecture: 'internlm2', numHeads: 4, numKvHeads: 1, attentionBias: true }],
  ['qwen2, GQA, q/k/v biases, tied', { architecture: 'qwen2', numKvHeads: 2, attentionBias: true, tieWordEmbeddings: true }],
];

function unflatten(values: number[], length: number): number[][] {
  return Array.from({ length: values.length / length }, (_, row) => values.slice(row * length, (row + 1) * length));
}

function logitsOf(config: ModelConfig, seed: number, tokens: number[][], options: Parameters<typeof forward>[2] = {}): { actual: Float32Array; expected: number[] } {
  const weights = randomWeights(config, seed);
  const model = createModel(config, weights);
  try {
    const ids = tf.tensor2d(tokens, undefined, 'int32');
    const logits = forward(model, ids, options);
    const actual = logits.dataSync() as Float32Array;
    expect(logits.shape).toEqual([tokens.length, tokens[0]!.length, config.vocabSize]);
    tf.dispose([ids, logits]);
    const expected = referenceLogits(config, weights, {
      tokens,
      ...(options.segmentIds ? { segmentIds: unflatten(options.segmentIds as number[], tokens[0]!.length) } : {}),
      ...(options.attentionMask ? { attentionMask: unflatten(options.attentionMask as number[], tokens[0]!.length) } : {}),
    }).flat().flatMap((row) => [...row]);
    return { actual, expected };
  } finally {
    model.dispose();
  }
}

describe('training forward against the Float64 reference', () => {
  for (const [name, overrides] of cases) {
    it(name, () => {
      const config = tinyConfig(overrides);
      const tokens = randomTokens(config, 2, 12, 7);
      const { actual, expected } = logitsOf(config, 3, tokens);
      expect(Math.max(...expected.map(Math.abs))).toBeGreaterThan(1); // logits are not trivially small
      expect(maxAbsDiff(actual, expected)).toBeLessThan(1e-4);
    });
  }

  it('packed sequences: block-diagonal causal mask, positions restarting per segment, padding keys hidden', () => {
    const config = tinyConfig({ numKvHeads: 2, ropeScaling: { type: 'dynamic', factor: 2 }, maxPositionEmbeddings: 6 });
    const tokens = randomTokens(config, 2, 10, 11);
    const segmentIds = [[0, 0, 0, 1, 1, 1, 1, 2, 2, 2], [5, 5, 5, 5, 5, 5, 5, 5, 9, 9]];
    const packed = logitsOf(config, 5, tokens, { segmentIds: segmentIds.flat() });
    expect(maxAbsDiff(packed.actual, packed.expected)).toBeLessThan(1e-4);
    const attentionMask = [[1, 1, 1, 1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]];
    const padded = logitsOf(config, 5, tokens, { attentionMask: attentionMask.flat() });
    expect(maxAbsDiff(padded.actual, padded.expected)).toBeLessThan(1e-4);
  });
});

describe('packedPositions', () => {
  it('restarts positions at each packed document, per row', () => {
    expect(Array.from(packedPositions(1, 5, [0, 0, 1, 1, 1]))).toEqual([0, 1, 0, 1, 2]);
    expect(Array.from(packedPositions(1, 3, undefined))).toEqual([0, 1, 2]);
    expect(Array.from(packedPositions(2, 3, [4, 4, 4, 4, 7, 7]))).toEqual([0, 1, 2, 0, 0, 1]);
  });
});
