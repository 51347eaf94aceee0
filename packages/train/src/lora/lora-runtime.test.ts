import { classifierMatrix, createModel, linear, presetConfig } from '@chainlm/model';
import { initBackend, tf } from '@chainlm/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { decoderHidden, type LinearHooks } from '../forward/decoder.js';
import { attachLora } from './lora-runtime.js';

const config = presetConfig('tiny', { vocabSize: 64, hiddenSize: 32, intermediateSize: 48, numLayers: 2, numHeads: 4, numKvHeads: 2, maxPositionEmbeddings: 32 });
const lora = { rank: 4, alpha: 8, dropout: 0, targetModules: ['q_proj' as const], quantBits: 4 as const, groupSize: 16 };
const ids = () => tf.tensor2d(Int32Array.from({ length: 16 }, (_, index) => (index * 5) % 64), [2, 8], 'int32');
const logits = (model: ReturnType<typeof createModel>, hooks: LinearHooks) => tf.tidy(() => linear(decoderHidden(model, hooks, ids()), classifierMatrix(model, true))).dataSync();

beforeAll(async () => {
  await initBackend();
});

describe('attachLora', () => {
  it('maps InternLM2 target names onto the canonical modules and freezes the base', () => {
    const model = createModel(config, undefined, { seed: 1 });
    const runtime = attachLora(model, new Map(), { ...lora, targetModules: ['wqkv', 'w2'] }, { seed: 1, quantize: false });
    expect(runtime.modules).toEqual([
      'model.layers.0.self_attn.q_proj', 'model.layers.0.self_attn.k_proj', 'model.layers.0.self_attn.v_proj', 'model.layers.0.mlp.down_proj',
      'model.layers.1.self_attn.q_proj', 'model.layers.1.self_attn.k_proj', 'model.layers.1.self_attn.v_proj', 'model.layers.1.mlp.down_proj',
    ]);
    expect(model.parameters().every(({ variable }) => !variable.trainable)).toBe(true);
    expect(runtime.parameters.every(({ variable }) => variable.trainable)).toBe(true);
  });

  it('starts equal to the base (B = 0) and moves once B is not 0', () => {
    const model = createModel(config, undefined, { seed: 2 });
    const base = logits(model, new Map());
    const hooks: LinearHooks = new Map();
    const runtime = attachLora(model, hooks, lora, { seed: 2, quantize: false });
    expect(Array.from(logits(model, hooks))).toEqual(Array.from(base));
    runtime.parameters[1].variable.assign(tf.onesLike(runtime.parameters[1].variable));
    const moved = logits(model, hooks);
    expect(Math.max(...Array.from(moved, (value, index) => Math.abs(value - base[index])))).toBeGreaterThan(1e-3);
    runtime.dispose();
    expect(hooks.size).toBe(0);
  });

  it('applies dropout only in training (with a seed), reproducibly', () => {
    const model = createModel(config, undefined, { seed: 3 });
    const hooks: LinearHooks = new Map();
    const runtime = attachLora(model, hooks, { ...lora, dropout: 0.5 }, { seed: 3, quantize: false });
    runtime.parameters[1].variable.assign(tf.onesLike(runtime.parameters[1].variable));
    const evaluation = logits(model, hooks);
    runtime.setDropoutSeed(7);
    const first = logits(model, hooks);
    const again = logits(model, hooks);
    runtime.setDropoutSeed(undefined);
    expect(Array.from(again)).toEqual(Array.from(first));
    expect(Array.from(first)).not.toEqual(Array.from(evaluation));
    expect(Array.from(logits(model, hooks))).toEqual(Array.from(evaluation));
  });

  it('QLoRA: the quantized base stays close to fp32 and takes a fraction of its memory', () => {
    const model = createModel(config, undefined, { seed: 4 });
    const base = logits(model, new Map());
    const hooks: LinearHooks = new Map();
    const runtime = attachLora(model, hooks, { ...lora, quantBits: 8 }, { seed: 4, quantize: true });
    const quantized = logits(model, hooks);
    const scale = Math.max(...Array.from(base, Math.abs));
    expect(Math.max(...Array.from(quantized, (value, index) => Math.abs(value - base[index])))).toBeLessThan(0.02 * scale);
    expect(hooks.size).toBe(2 * 7); // every linear projection of both layers reads its quantized weight
    expect(runtime.memory.baseStoredBytes / runtime.memory.baseFp32Bytes).toBeCloseTo((1 + 4 / 16) / 4, 5);
  });
});
