import { beforeAll, describe, expect, it } from 'vitest';
import { ChainlmError } from '@chainlm/core';
import { initBackend, tf } from '@chainlm/runtime';
import type { ModelConfig } from '../config/index.js';
import { createModel, forward, forwardStep, KvCache, type Model } from './index.js';
import { maxAbsDiff, randomTokens, randomWeights, tinyConfig } from './__tests__/fixtures.js';

beforeAll(async () => {
  await initBackend();
});

function fullLogits(model: Model, tokens: number[]): Float32Array {
  return tf.tidy(() => forward(model, tf.tensor2d([tokens], undefined, 'int32')).dataSync() as Float32Array);
}

const stepCases: [string, Partial<ModelConfig>][] = [
  ['llama MHA', {}],
  ['llama GQA tied, linear scaling', { numKvHeads: 2, tieWordEmbeddings: true, ropeScaling: { type: 'linear', factor: 2 } }],
  ['internlm biases, dynamic within max positions', { architecture: 'internlm', attentionBias: true, ropeScaling: { type: 'dynamic', factor: 2 } }],
  ['internlm2 G=3', { architecture: 'internlm2', numHeads: 6, numKvHeads: 2, headDim: 4 }],
  ['qwen2', { architecture: 'qwen2', numKvHeads: 1, attentionBias: true, tieWordEmbeddings: true }],
];

describe('forwardStep with KvCache equals the full forward', () => {
  for (const [name, overrides] of stepCases) {
    it(`${name}: token by token`, () => {
      const config = tinyConfig(overrides);
      const model = createModel(config, randomWeights(config, 21));
      const tokens = randomTokens(config, 1, 9, 4)[0]!;
      const expected = fullLogits(model, tokens);
      const cache = new KvCache(config, { numSequences: 1, maxLength: 16 });
      const actual = new Float32Array(expected.length);
      for (let t = 0; t < tokens.length; t++) {
        const positions = cache.beginStep([0]);
        expect([...positions]).toEqual([t]);
        const logits = forwardStep(model, { tokenIds: Int32Array.of(tokens[t]!), positions, attention: cache });
        actual.set(logits.dataSync(), t * config.vocabSize);
        logits.dispose();
      }
      expect(maxAbsDiff(actual, expected)).toBeLessThan(1e-4);
      model.dispose();
    });
  }

  it('mixed steps: a prefill chunk of one sequence beside decode tokens of another, rows interleaved', () => {
    const config = tinyConfig({ numKvHeads: 2 });
    const model = createModel(config, randomWeights(config, 8));
    const [first, second] = randomTokens(config, 2, 8, 13) as [number[], number[]];
    const cache = new KvCache(config, { numSequences: 3, maxLength: 8 });
    const collected: Float32Array[][] = [[], []];
    const take = (logits: tf.Tensor2D, owners: number[]): void => {
      const data = logits.dataSync() as Float32Array;
      owners.forEach((owner, row) => collected[owner]!.push(data.slice(row * config.vocabSize, (row + 1) * config.vocabSize)));
      logits.dispose();
    };
    // Step 1: sequence 1 prefills 3 tokens. Step 2: sequence 0 prefills 5 tokens, rows interleaved with one token of sequence 1.
    let positions = cache.beginStep([1, 1, 1]);
    take(forwardStep(model, { tokenIds: Int32Array.from(second.slice(0, 3)), positions, attention: cache }), [1, 1, 1]);
    const owners = [0, 0, 1, 0, 0, 0];
    positions = cache.beginStep(owners);
    expect([...positions]).toEqual([0, 1, 3, 2, 3, 4]);
    const ids = [first[0]!, first[1]!, second[3]!, first[2]!, first[3]!, first[4]!];
    take(forwardStep(model, { tokenIds: Int32Array.from(ids), positions, attention: cache }), owners);
    // Step 3: one token each, and only the last rows' logits.
    positions = cache.beginStep([1, 0]);
    const logits = forwardStep(model, { tokenIds: Int32Array.of(second[4]!, first[5]!), positions, attention: cache, logitRows: Int32Array.of(1, 0) });
    expect(logits.shape).toEqual([2, config.vocabSize]);
    take(logits, [0, 1]);
    expect(cache.length(0)).toBe(6);
    expect(cache.length(1)).toBe(5);
    expect(cache.length(2)).toBe(0);
    expect(maxAbsDiff(collected[0]!.flatMap((row) => [...row]), fullLogits(model, first.slice(0, 6)))).toBeLessThan(1e-4);
    expect(maxAbsDiff(collected[1]!.flatMap((row) => [...row]), fullLogits(model, second.slice(0, 5)))).toBeLessThan(1e-4);
    cache.reset(0);
    expect(cache.length(0)).toBe(0);
    model.dispose();
  });

  it('rejects bad steps and a full cache', () => {
    const config = tinyConfig();
    const model = createModel(config, undefined, { seed: 1 });
    const cache = new KvCache(config, { numSequences: 1, maxLength: 2 });
    const step = (tokenIds: number[], positions: number[], logitRows?: number[]) => () =>
      forwardStep(model, { tokenIds: Int32Array.from(tokenIds), positions: Int32Array.from(positions), attention: cache, ...(logitRows ? { logitRows: Int32Array.from(logitRows) } : {}) });
    expect(step([], [])).toThrow(/at least one token/);
    expect(step([1, 2], [0])).toThrow(/positions has 1 entries for 2 tokens/);
    expect(step([99], [0])).toThrow(/token id 99 is outside the vocabulary/);
    expect(step([1], [-1])).toThrow(/negative/);
    expect(step([1], [0], [3])).toThrow(/logitRows names row 3/);
    expect(step([1, 2], [0, 1])).toThrow(/attend got 2 rows but beginStep registered 0/);
    expect(() => cache.beginStep([1])).toThrow(/names sequence 1, but the cache holds 1/);
    cache.beginStep([0, 0]);
    expect(() => cache.beginStep([0])).toThrow(ChainlmError);
    expect(() => cache.beginStep([0])).toThrow(/sequence 0 is full \(2 tokens\)/);
    expect(() => new KvCache(config, { numSequences: 0, maxLength: 4 })).toThrow(/positive integers/);
    model.dispose();
  });
});
