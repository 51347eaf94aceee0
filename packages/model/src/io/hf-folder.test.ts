import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadHfFolder, saveHfFolder } from './hf-folder.js';
import type { DType, WeightMap } from './types.js';

const root = mkdtempSync(join(tmpdir(), 'chainlm-hf-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Values spanning normals, subnormals, ±0, tiny and huge magnitudes, all representable in `dtype`. */
function weightsFor(dtype: DType): WeightMap {
  const raw = new Float32Array(4096);
  let state = 7;
  for (let index = 0; index < raw.length; index++) {
    state = (state * 1103515245 + 12345) >>> 0;
    raw[index] = (state / 2 ** 32 - 0.5) * 2 ** ((index % 40) - 20);
  }
  raw[0] = -0;
  raw[1] = 6e-8; // half subnormal range
  const view = new Uint32Array(raw.buffer);
  // F16-exact values: decode random half bit patterns that are finite.
  if (dtype === 'F16') for (let index = 0; index < raw.length; index++) raw[index] = halfValue((index * 40503) & 0x7bff | (index & 1 ? 0x8000 : 0));
  if (dtype === 'BF16') for (let index = 0; index < raw.length; index++) view[index] &= 0xffff0000;
  return new Map([
    ['model.embed_tokens.weight', { shape: [64, 32], dtype, data: raw.slice(0, 2048) }],
    ['model.norm.weight', { shape: [32], dtype, data: raw.slice(2048, 2080) }],
    ['lm_head.weight', { shape: [2016], dtype, data: raw.slice(2080) }],
  ]);
}

function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  return exponent === 0 ? sign * mantissa * 2 ** -24 : sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function bits(weights: WeightMap): Map<string, number[]> {
  return new Map([...weights].map(([name, tensor]) => [name, [...new Uint32Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.length)]]));
}

describe('HF folders', () => {
  for (const dtype of ['F32', 'F16', 'BF16'] as const) {
    it(`save → load is bit-exact for ${dtype} (single file and sharded)`, async () => {
      const weights = weightsFor(dtype);
      const configJson = { architectures: ['LlamaForCausalLM'], hidden_size: 32 };
      for (const maxShardBytes of [undefined, 4096]) {
        const dir = join(root, `${dtype}-${maxShardBytes ?? 'single'}`);
        await saveHfFolder(dir, { configJson, weights, dtype, generationConfig: { eos_token_id: 2 }, maxShardBytes });
        const loaded = await loadHfFolder(dir);
        expect(bits(loaded.weights)).toEqual(bits(weights));
        expect([...loaded.weights.values()].every((tensor) => tensor.dtype === dtype)).toBe(true);
        expect(loaded.configJson).toEqual({ ...configJson, torch_dtype: { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[dtype] });
        expect(loaded.generationConfig).toEqual({ eos_token_id: 2 });
      }
    });
  }

  it('copies tokenizer files, replaces an existing model folder, and refuses other folders', async () => {
    const source = join(root, 'tok-src');
    mkdirSync(source);
    writeFileSync(join(source, 'tokenizer.json'), '{"model":{}}');
    writeFileSync(join(source, 'tokenizer_config.json'), '{}');
    const dir = join(root, 'with-tokenizer');
    const input = { configJson: { a: 1 }, weights: weightsFor('F32'), tokenizerFiles: [join(source, 'tokenizer.json'), join(source, 'tokenizer_config.json')] };
    await saveHfFolder(dir, input);
    writeFileSync(join(dir, 'stale.txt'), 'old');
    await saveHfFolder(dir, { ...input, configJson: { a: 2 } });
    const loaded = await loadHfFolder(dir);
    expect(loaded.configJson.a).toBe(2);
    expect(loaded.tokenizerPath).toBe(join(dir, 'tokenizer.json'));
    expect(loaded.tokenizerFiles).toEqual([join(dir, 'tokenizer.json'), join(dir, 'tokenizer_config.json')]);
    expect(() => readFileSync(join(dir, 'stale.txt'))).toThrow();
    const notModel = join(root, 'precious');
    mkdirSync(notModel);
    writeFileSync(join(notModel, 'notes.txt'), 'keep me');
    await expect(saveHfFolder(notModel, input)).rejects.toThrow(/refusing to replace .*precious: it is not empty and not a model folder/);
    expect(readFileSync(join(notModel, 'notes.txt'), 'utf8')).toBe('keep me');
    await expect(saveHfFolder(join(notModel, 'notes.txt'), input)).rejects.toThrow(/exists and is not a folder/);
  });

  it('names the missing or broken file', async () => {
    await expect(loadHfFolder(join(root, 'nowhere'))).rejects.toThrow(/nowhere: model folder not found/);
    const empty = join(root, 'empty');
    mkdirSync(empty);
    await expect(loadHfFolder(empty)).rejects.toThrow(/config\.json: config\.json not found/);
    writeFileSync(join(empty, 'config.json'), '{oops');
    await expect(loadHfFolder(empty)).rejects.toThrow(/config\.json: not valid JSON/);
    writeFileSync(join(empty, 'config.json'), '[]');
    await expect(loadHfFolder(empty)).rejects.toThrow(/config\.json: must hold a JSON object/);
    writeFileSync(join(empty, 'config.json'), '{}');
    writeFileSync(join(empty, 'pytorch_model.bin'), '');
    await expect(loadHfFolder(empty)).rejects.toThrow(/model\.safetensors or model\.safetensors\.index\.json not found/);
    await expect(loadHfFolder(empty)).rejects.toMatchObject({ hint: expect.stringMatching(/PyTorch \.bin checkpoints are not read/) });
  });
});
