import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '@chainlm/core';
import { mergeLoraAdapter, readPeftAdapter, writePeftAdapter, type LoraAdapter } from './peft-adapter.js';
import { readSafetensors } from './safetensors-read.js';
import { writeSafetensors } from './safetensors-write.js';
import type { WeightMap } from './types.js';

const root = mkdtempSync(join(tmpdir(), 'chainlm-peft-'));
const qProj = 'model.layers.0.self_attn.q_proj';

/** Multiples of 1/8 in a small range: every product and sum below is exact in float32. */
function dyadic(length: number, rng: SeededRandom): Float32Array {
  return Float32Array.from({ length }, () => (rng.below(17) - 8) / 8);
}

function fixture(): LoraAdapter {
  const rng = new SeededRandom(11);
  return { rank: 2, alpha: 4, dropout: 0.1, targetModules: ['q_proj'], modules: new Map([[qProj, { a: dyadic(2 * 3, rng), b: dyadic(4 * 2, rng), rank: 2, inFeatures: 3, outFeatures: 4 }]]) };
}

describe('PEFT adapter folders', () => {
  it('round-trips: what writePeftAdapter writes, readPeftAdapter reads back bit for bit, in PEFT key names', async () => {
    const dir = join(root, 'round-trip');
    const adapter = fixture();
    await writePeftAdapter(dir, adapter, { baseModel: '/models/base' });
    const config = JSON.parse(readFileSync(join(dir, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({ peft_type: 'LORA', task_type: 'CAUSAL_LM', r: 2, lora_alpha: 4, lora_dropout: 0.1, target_modules: ['q_proj'], bias: 'none', base_model_name_or_path: '/models/base' });
    const tensors = await readSafetensors(join(dir, 'adapter_model.safetensors'));
    expect([...tensors.keys()]).toEqual([`base_model.model.${qProj}.lora_A.weight`, `base_model.model.${qProj}.lora_B.weight`]);
    expect(tensors.get(`base_model.model.${qProj}.lora_B.weight`)!.shape).toEqual([4, 2]);
    const read = await readPeftAdapter(dir);
    expect(read).toEqual({ ...adapter, baseModel: '/models/base' });
    // And once more: reading what was written from a read gives the same adapter.
    await writePeftAdapter(join(root, 'again'), read, { baseModel: read.baseModel });
    expect(await readPeftAdapter(join(root, 'again'))).toEqual(read);
  });

  it("reads what PEFT's save_pretrained writes: `.default` infix, no lora_dropout, target_modules as a string", async () => {
    const dir = join(root, 'peft-written');
    mkdirSync(dir);
    writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify({ peft_type: 'LORA', r: 1, lora_alpha: 2, target_modules: 'q_proj' }));
    await writeSafetensors(join(dir, 'adapter_model.safetensors'), new Map([
      [`base_model.model.${qProj}.lora_A.default.weight`, { shape: [1, 3], dtype: 'F32', data: new Float32Array([1, 0, -1]) }],
      [`base_model.model.${qProj}.lora_B.default.weight`, { shape: [2, 1], dtype: 'F32', data: new Float32Array([0.5, 1]) }],
    ]));
    const read = await readPeftAdapter(dir);
    expect(read).toMatchObject({ rank: 1, alpha: 2, dropout: 0, targetModules: ['q_proj'], baseModel: null });
    expect(read.modules.get(qProj)).toMatchObject({ inFeatures: 3, outFeatures: 2, rank: 1 });
  });

  it('refuses folders it cannot read faithfully, naming the file and the fix', async () => {
    await expect(readPeftAdapter(join(root, 'missing'))).rejects.toMatchObject({ code: 'adapter-invalid', message: expect.stringMatching(/not a PEFT LoRA folder/) });
    const dir = join(root, 'bad');
    await writePeftAdapter(dir, fixture());
    const write = (config: object) => writeFileSync(join(dir, 'adapter_config.json'), JSON.stringify(config));
    write({ peft_type: 'PREFIX_TUNING', r: 2, lora_alpha: 4 });
    await expect(readPeftAdapter(dir)).rejects.toThrow(/peft_type/);
    write({ peft_type: 'LORA', r: 2, lora_alpha: 4, use_dora: true });
    await expect(readPeftAdapter(dir)).rejects.toThrow(/use_dora .* not supported/);
    write({ peft_type: 'LORA', r: 3, lora_alpha: 4 });
    await expect(readPeftAdapter(dir)).rejects.toThrow(/needs lora_A \[3, in\] and lora_B \[out, 3\]/);
    writeFileSync(join(dir, 'adapter_config.json'), '{ nope');
    await expect(readPeftAdapter(dir)).rejects.toThrow(/adapter_config\.json: not valid JSON/);
  });
});

describe('mergeLoraAdapter', () => {
  it('gives exactly W + (alpha/r)·B·A, leaves the base as it was and shares other tensors', () => {
    const rng = new SeededRandom(2);
    const base: WeightMap = new Map([
      [`${qProj}.weight`, { shape: [4, 3], dtype: 'F32', data: dyadic(12, rng) }],
      ['model.norm.weight', { shape: [3], dtype: 'F32', data: Float32Array.from([1, 2, 3]) }],
    ]);
    const before = Array.from(base.get(`${qProj}.weight`)!.data);
    const adapter = fixture();
    const merged = mergeLoraAdapter(base, adapter);
    const { a, b } = adapter.modules.get(qProj)!;
    const expected = before.map((w, index) => {
      const [row, column] = [Math.floor(index / 3), index % 3];
      return w + 2 * (b[row * 2] * a[column] + b[row * 2 + 1] * a[3 + column]);
    });
    expect(Array.from(merged.get(`${qProj}.weight`)!.data)).toEqual(expected);
    expect(Array.from(base.get(`${qProj}.weight`)!.data)).toEqual(before);
    expect(merged.get('model.norm.weight')).toBe(base.get('model.norm.weight'));
  });

  it('refuses an adapter for another base', () => {
    expect(() => mergeLoraAdapter(new Map([[`${qProj}.weight`, { shape: [3, 3], dtype: 'F32', data: new Float32Array(9) }]]), fixture())).toThrow(/expects a base weight \[4, 3\], the model has \[3, 3\]/);
    expect(() => mergeLoraAdapter(new Map(), fixture())).toThrow(/the base model has no weight model\.layers\.0\.self_attn\.q_proj\.weight/);
  });
});
