import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loraScale, mergeLoraAdapter, readPeftAdapter, readSafetensors, writePeftAdapter, type LoraAdapter, type WeightMap } from '@chainlm/model';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@chainlm/core';
import { findTargetModules } from './adapter-weights.js';
import { adapterFromTrainable, trainableFromAdapter } from './adapter-export.js';

const dir = mkdtempSync(join(tmpdir(), 'chainlm-train-lora-'));

/** Values that are multiples of 1/8 in a small range, so every product and sum is exact in float32. */
function dyadic(length: number, rng: SeededRandom): Float32Array {
  return Float32Array.from({ length }, () => (rng.below(17) - 8) / 8);
}

function adapterFixture(): LoraAdapter {
  const rng = new SeededRandom(11);
  return {
    rank: 2,
    alpha: 4,
    dropout: 0.1,
    targetModules: ['q_proj'],
    modules: new Map([['model.layers.0.self_attn.q_proj', { a: dyadic(2 * 3, rng), b: dyadic(4 * 2, rng), rank: 2, inFeatures: 3, outFeatures: 4 }]]),
  };
}

describe('mergeLoraAdapter', () => {
  it('gives exactly W + (alpha/r)·B·A and leaves other tensors alone', () => {
    const rng = new SeededRandom(2);
    const base: WeightMap = new Map([
      ['model.layers.0.self_attn.q_proj.weight', { shape: [4, 3], dtype: 'F32', data: dyadic(12, rng) }],
      ['model.norm.weight', { shape: [3], dtype: 'F32', data: Float32Array.from([1, 2, 3]) }],
    ]);
    const adapter = adapterFixture();
    const merged = mergeLoraAdapter(base, adapter);
    const { a, b } = adapter.modules.get('model.layers.0.self_attn.q_proj')!;
    const w = base.get('model.layers.0.self_attn.q_proj.weight')!.data;
    const expected = Array.from({ length: 12 }, (_, index) => {
      const [row, column] = [Math.floor(index / 3), index % 3];
      return w[index] + loraScale(adapter) * (b[row * 2] * a[column] + b[row * 2 + 1] * a[3 + column]);
    });
    expect(Array.from(merged.get('model.layers.0.self_attn.q_proj.weight')!.data)).toEqual(expected);
    expect(merged.get('model.norm.weight')).toBe(base.get('model.norm.weight'));
  });

  it('refuses an adapter for another base', () => {
    const base: WeightMap = new Map([['model.layers.0.self_attn.q_proj.weight', { shape: [3, 3], dtype: 'F32', data: new Float32Array(9) }]]);
    expect(() => mergeLoraAdapter(base, adapterFixture())).toThrow(/expects a base weight \[4, 3\], the model has \[3, 3\]/);
  });
});

describe('PEFT adapter folders', () => {
  it('writes PEFT key names and config, and reads them back', async () => {
    const adapter = adapterFixture();
    const out = join(dir, 'adapter');
    await writePeftAdapter(out, adapter, { baseModel: '/models/base' });
    const config = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 2, lora_alpha: 4, lora_dropout: 0.1, target_modules: ['q_proj'], base_model_name_or_path: '/models/base' });
    const tensors = await readSafetensors(join(out, 'adapter_model.safetensors'));
    expect([...tensors.keys()]).toEqual(['base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight', 'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight']);
    expect(tensors.get('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight')!.shape).toEqual([2, 3]);
    const loaded = await readPeftAdapter(out);
    expect(loaded.baseModel).toBe('/models/base');
    expect(loaded.modules.get('model.layers.0.self_attn.q_proj')).toEqual(adapter.modules.get('model.layers.0.self_attn.q_proj'));
  });

  it('rejects folders that are not LoRA adapters', async () => {
    await expect(readPeftAdapter(join(dir, 'missing'))).rejects.toThrow(/not a PEFT LoRA folder/);
    const prefix = join(dir, 'prefix');
    await writePeftAdapter(prefix, adapterFixture());
    writeFileSync(join(prefix, 'adapter_config.json'), JSON.stringify({ peft_type: 'PREFIX_TUNING', r: 2, lora_alpha: 4, target_modules: [] }));
    await expect(readPeftAdapter(prefix)).rejects.toThrow(/peft_type/);
  });

  it('converts between trainable (model layout) and PEFT layout both ways', () => {
    const adapter = adapterFixture();
    const trainable = trainableFromAdapter(adapter);
    expect(trainable.get('model.layers.0.self_attn.q_proj.lora_a')!.shape).toEqual([3, 2]);
    const back = adapterFromTrainable(trainable, adapter);
    expect(back.modules.get('model.layers.0.self_attn.q_proj')).toEqual(adapter.modules.get('model.layers.0.self_attn.q_proj'));
  });
});

describe('findTargetModules', () => {
  it('finds modules by leaf name and explains a miss', () => {
    const names = ['model.layers.0.self_attn.q_proj.weight', 'model.layers.0.mlp.up_proj.weight', 'model.norm.weight'];
    expect(findTargetModules(names, ['q_proj'])).toEqual(['model.layers.0.self_attn.q_proj']);
    expect(() => findTargetModules(names, ['wqkv'])).toThrow(/no module of the model matches/);
  });
});
