import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, tf } from '@chainlm/runtime';
import { createRng } from '../generate/rng.js';
import type { WeightMap } from '../io/types.js';
import type { StepLoraAdapter } from './attention-backend.js';
import { createModel, forward, forwardStep, KvCache, type Model } from './index.js';
import { maxAbsDiff, randomTokens, randomWeights, tinyConfig } from './__tests__/fixtures.js';

beforeAll(async () => {
  await initBackend();
});

/** A host LoRA module: A [rank, in], B [out, rank] (HF/PEFT layout). */
interface HostModule {
  a: Float32Array;
  b: Float32Array;
  rank: number;
  inFeatures: number;
  outFeatures: number;
}

function randomAdapter(weights: WeightMap, modules: string[], rank: number, seed: number): Map<string, HostModule> {
  const rng = createRng(seed);
  const adapter = new Map<string, HostModule>();
  for (const module of modules) {
    const [outFeatures, inFeatures] = weights.get(`${module}.weight`)!.shape as [number, number];
    const fill = (size: number) => Float32Array.from({ length: size }, () => 0.3 * rng.normal());
    adapter.set(module, { a: fill(rank * inFeatures), b: fill(outFeatures * rank), rank, inFeatures, outFeatures });
  }
  return adapter;
}

/** W' = W + scale·B·A, in float64 per output value. */
function merge(weights: WeightMap, adapter: Map<string, HostModule>, scale: number): WeightMap {
  const merged: WeightMap = new Map(weights);
  for (const [module, { a, b, rank, inFeatures, outFeatures }] of adapter) {
    const base = weights.get(`${module}.weight`)!;
    const data = new Float32Array(base.data.length);
    for (let row = 0; row < outFeatures; row++) {
      for (let column = 0; column < inFeatures; column++) {
        let delta = 0;
        for (let k = 0; k < rank; k++) delta += b[row * rank + k]! * a[k * inFeatures + column]!;
        data[row * inFeatures + column] = base.data[row * inFeatures + column]! + scale * delta;
      }
    }
    merged.set(`${module}.weight`, { ...base, data });
  }
  return merged;
}

/** Aᵀ [in, rank] and scale·Bᵀ [rank, out] as the forward takes them. */
function toStep(adapter: Map<string, HostModule>, scale: number): StepLoraAdapter {
  const modules = new Map();
  for (const [module, { a, b, rank, inFeatures, outFeatures }] of adapter) {
    modules.set(module, {
      a: tf.transpose(tf.tensor2d(a, [rank, inFeatures])) as tf.Tensor2D,
      b: tf.mul(tf.transpose(tf.tensor2d(b, [outFeatures, rank])), scale) as tf.Tensor2D,
    });
  }
  return { modules };
}

function fullLogits(model: Model, tokens: number[]): Float32Array {
  return tf.tidy(() => forward(model, tf.tensor2d([tokens], undefined, 'int32')).dataSync() as Float32Array);
}

describe('forwardStep with per-row LoRA', () => {
  it('gives each row the logits of its adapter merged into the base, in one mixed step', () => {
    const config = tinyConfig({ numKvHeads: 2 });
    const weights = randomWeights(config, 4);
    const base = createModel(config, weights);
    const layer = (index: number, module: string) => `model.layers.${index}.${module}`;
    // Adapter 0 adapts a few modules of layer 0 and down_proj of layer 1; adapter 1 every projection.
    const first = randomAdapter(weights, [layer(0, 'self_attn.q_proj'), layer(0, 'self_attn.v_proj'), layer(1, 'mlp.down_proj')], 2, 11);
    const all = [0, 1].flatMap((index) => ['self_attn.q_proj', 'self_attn.k_proj', 'self_attn.v_proj', 'self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj'].map((name) => layer(index, name)));
    const second = randomAdapter(weights, all, 3, 12);
    const adapters = [toStep(first, 2), toStep(second, 0.5)];
    const references = [createModel(config, merge(weights, first, 2)), createModel(config, merge(weights, second, 0.5))];
    const sequences = randomTokens(config, 3, 5, 9);
    const cache = new KvCache(config, { numSequences: 3, maxLength: 8 });
    // Rows interleaved: sequence s uses adapter s - 1 (sequence 0 is the bare base).
    const owners = [0, 1, 2, 0, 1, 2, 2, 1, 0, 0, 1, 2, 1, 0, 2];
    const cursor = [0, 0, 0];
    const tokenIds = Int32Array.from(owners.map((owner) => sequences[owner]![cursor[owner]!++]!));
    const positions = cache.beginStep(owners);
    const logits = forwardStep(base, { tokenIds, positions, attention: cache, lora: { rowAdapter: Int32Array.from(owners.map((owner) => owner - 1)), adapters } });
    const data = logits.dataSync() as Float32Array;
    logits.dispose();
    const models = [base, ...references];
    for (let sequence = 0; sequence < 3; sequence++) {
      const expected = fullLogits(models[sequence]!, sequences[sequence]!);
      const rows = owners.flatMap((owner, row) => (owner === sequence ? [row] : []));
      const actual = rows.flatMap((row) => [...data.subarray(row * config.vocabSize, (row + 1) * config.vocabSize)]);
      expect(maxAbsDiff(actual, expected), `sequence ${sequence}`).toBeLessThan(1e-4);
    }
    // The adapters change the logits: the comparison above can fail.
    expect(maxAbsDiff(fullLogits(references[1]!, sequences[2]!), fullLogits(base, sequences[2]!))).toBeGreaterThan(1e-2);
    // One adapter on every row takes the no-gather path.
    const single = new KvCache(config, { numSequences: 1, maxLength: 8 });
    const only = forwardStep(base, { tokenIds: Int32Array.from(sequences[2]!), positions: single.beginStep([0, 0, 0, 0, 0]), attention: single, lora: { rowAdapter: new Int32Array(5).fill(1), adapters } });
    expect(maxAbsDiff(only.dataSync(), fullLogits(references[1]!, sequences[2]!))).toBeLessThan(1e-4);
    only.dispose();
    for (const model of models) model.dispose();
    for (const adapter of adapters) for (const module of adapter.modules.values()) tf.dispose([module.a, module.b]);
  });

  it('rejects a rowAdapter of the wrong length or naming a missing adapter', () => {
    const config = tinyConfig();
    const model = createModel(config, randomWeights(config, 1));
    const cache = new KvCache(config, { numSequences: 1, maxLength: 4 });
    const step = (rowAdapter: number[]) => () => forwardStep(model, { tokenIds: Int32Array.of(3, 4), positions: Int32Array.of(0, 1), attention: cache, lora: { rowAdapter: Int32Array.from(rowAdapter), adapters: [] } });
    expect(step([-1])).toThrow(/lora.rowAdapter has 1 entries for 2 tokens/);
    expect(step([-1, 0])).toThrow(/names adapter 0, but 0 adapter\(s\) were given/);
    expect(step([-2, -1])).toThrow(/names adapter -2/);
    model.dispose();
  });
});
