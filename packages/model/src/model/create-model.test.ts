import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@chainlm/runtime';
import { presetConfig, countParameters } from '../config/index.js';
import { createModel, forward, INIT_STD } from './index.js';
import { randomWeights, tinyConfig } from './__tests__/fixtures.js';

beforeAll(async () => {
  await initBackend();
});

describe('createModel', () => {
  it('round-trips weights bit-exactly for every architecture, keeping the stored dtype', () => {
    const configs = [
      tinyConfig(),
      tinyConfig({ architecture: 'internlm', attentionBias: true }),
      tinyConfig({ architecture: 'internlm2', numHeads: 6, numKvHeads: 2, headDim: 4, attentionBias: true }),
      tinyConfig({ architecture: 'qwen2', numKvHeads: 2, attentionBias: true, tieWordEmbeddings: true }),
    ];
    for (const config of configs) {
      const weights = randomWeights(config, 2);
      for (const tensor of weights.values()) tensor.dtype = 'F16';
      const model = createModel(config, weights);
      const back = model.toWeightMap();
      expect([...back.keys()].sort()).toEqual([...weights.keys()].sort());
      for (const [name, tensor] of weights) {
        expect(back.get(name)!.shape, name).toEqual(tensor.shape);
        expect(back.get(name)!.dtype).toBe('F16');
        expect(Buffer.from(back.get(name)!.data.buffer).equals(Buffer.from(tensor.data.buffer)), name).toBe(true);
      }
      expect(model.toWeightMap({ dtype: 'BF16' }).get('model.norm.weight')!.dtype).toBe('BF16');
      model.dispose();
    }
  });

  it('initializes from a seed: deterministic, documented scales, trainable variables', () => {
    const config = presetConfig('tiny', { vocabSize: 256, numLayers: 2 });
    const first = createModel(config, undefined, { seed: 5 });
    const again = createModel(config, undefined, { seed: 5 });
    const other = createModel(config, undefined, { seed: 6 });
    const names = first.parameters().map((parameter) => parameter.name);
    expect(names).toContain('model.layers.1.mlp.down_proj.weight');
    expect(names).not.toContain('lm_head.weight'); // tied
    const total = first.parameters().reduce((sum, parameter) => sum + parameter.variable.size, 0);
    expect(total).toBe(countParameters(config));
    const values = (model: typeof first, name: string): Float32Array =>
      model.parameters().find((parameter) => parameter.name === name)!.variable.dataSync() as Float32Array;
    const std = (data: Float32Array): number => Math.sqrt(data.reduce((sum, value) => sum + value * value, 0) / data.length);
    expect(values(first, 'model.layers.0.self_attn.q_proj.weight')).toEqual(values(again, 'model.layers.0.self_attn.q_proj.weight'));
    expect(values(first, 'model.layers.0.self_attn.q_proj.weight')).not.toEqual(values(other, 'model.layers.0.self_attn.q_proj.weight'));
    expect(std(values(first, 'model.embed_tokens.weight'))).toBeCloseTo(INIT_STD, 3);
    expect(std(values(first, 'model.layers.0.mlp.down_proj.weight'))).toBeCloseTo(INIT_STD / 2, 3);
    expect([...values(first, 'model.norm.weight')].every((value) => value === 1)).toBe(true);
    expect(first.parameters().every((parameter) => parameter.variable.trainable)).toBe(true);
    for (const model of [first, again, other]) model.dispose();
  });

  it('rejects checkpoints that do not match the config, naming the tensor', () => {
    const config = tinyConfig();
    const weights = randomWeights(config, 1);
    const without = new Map(weights);
    without.delete('model.layers.1.mlp.up_proj.weight');
    expect(() => createModel(config, without)).toThrow(/lacks 1 tensor\(s\).*model\.layers\.1\.mlp\.up_proj\.weight/);
    const extra = new Map(weights);
    extra.set('model.layers.0.attention.wqkv.weight', weights.get('model.norm.weight')!);
    expect(() => createModel(config, extra)).toThrow(/does not use: model\.layers\.0\.attention\.wqkv\.weight/);
    const wrong = new Map(weights);
    wrong.set('model.norm.weight', { shape: [3], dtype: 'F32', data: new Float32Array(3) });
    expect(() => createModel(config, wrong)).toThrow(/"model\.norm\.weight" has shape \[3\], expected \[24\]/);
    const internlm2 = tinyConfig({ architecture: 'internlm2', numKvHeads: 2 });
    const packed = randomWeights(internlm2, 1);
    packed.set('model.layers.0.attention.wqkv.weight', { shape: [10, 24], dtype: 'F32', data: new Float32Array(240) });
    expect(() => createModel(internlm2, packed)).toThrow(/wqkv\.weight" has 10 rows, expected/);
    // Tolerated: HF's cached inv_freq buffers and a redundant lm_head beside tied embeddings.
    const tied = tinyConfig({ tieWordEmbeddings: true });
    const tolerated = randomWeights(tinyConfig(), 1);
    tolerated.set('model.layers.0.self_attn.rotary_emb.inv_freq', { shape: [3], dtype: 'F32', data: new Float32Array(3) });
    createModel(tied, tolerated).dispose();
  });

  it('gradients reach every parameter and match finite differences', () => {
    const config = tinyConfig({ numKvHeads: 2, attentionBias: true, tieWordEmbeddings: true });
    const model = createModel(config, randomWeights(config, 4));
    const ids = tf.tensor2d([[3, 9, 1, 4, 22, 7], [5, 5, 30, 2, 8, 1]], undefined, 'int32');
    const targets = tf.oneHot(tf.tensor2d([[9, 1, 4, 22, 7, 0], [5, 30, 2, 8, 1, 3]], undefined, 'int32'), config.vocabSize);
    const loss = (): tf.Scalar => tf.losses.softmaxCrossEntropy(targets, forward(model, ids)) as tf.Scalar;
    const { value, grads } = tf.variableGrads(loss, model.parameters().map((parameter) => parameter.variable));
    expect(Object.keys(grads)).toHaveLength(model.parameters().length);
    for (const gradient of Object.values(grads)) expect(Number.isFinite(tf.sum(tf.abs(gradient)).dataSync()[0]!)).toBe(true);
    // Directional derivative along each checked gradient versus a central difference.
    for (const name of ['model.layers.0.self_attn.k_proj.weight', 'model.layers.1.self_attn.q_proj.bias', 'model.embed_tokens.weight', 'model.layers.1.mlp.down_proj.weight']) {
      const parameter = model.parameters().find((candidate) => candidate.name === name)!;
      const gradient = grads[parameter.variable.name]!;
      const original = parameter.variable.clone();
      const direction = tf.div(gradient, tf.norm(gradient));
      const epsilon = 1e-2;
      parameter.variable.assign(tf.add(original, tf.mul(direction, epsilon)));
      const plus = loss().dataSync()[0]!;
      parameter.variable.assign(tf.sub(original, tf.mul(direction, epsilon)));
      const minus = loss().dataSync()[0]!;
      parameter.variable.assign(original);
      const numeric = (plus - minus) / (2 * epsilon);
      const analytic = tf.norm(gradient).dataSync()[0]!;
      expect(Math.abs(numeric - analytic) / analytic, name).toBeLessThan(2e-2);
    }
    expect(value.dataSync()[0]).toBeGreaterThan(0);
    model.dispose();
  });

  it('rejects bad token tensors', () => {
    const config = tinyConfig();
    const model = createModel(config, undefined, { seed: 1 });
    expect(() => forward(model, tf.tensor2d([[1, 2]]))).toThrow(/int32 tensor \[batch, seq\], got float32/);
    expect(() => forward(model, tf.tensor2d([[1, 37]], undefined, 'int32'))).toThrow(/token id 37 is outside/);
    expect(() => forward(model, tf.tensor2d([[1, 2]], undefined, 'int32'), { segmentIds: [0, 0, 0] })).toThrow(/segmentIds has 3 entries, expected batch·seq = 1·2/);
    const { logits, hidden } = forward(model, tf.tensor2d([[1, 2]], undefined, 'int32'), { returnHidden: true });
    expect(hidden.shape).toEqual([1, 2, 24]);
    expect(logits.shape).toEqual([1, 2, 37]);
    model.dispose();
  });
});
