import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import { readLlama2c } from './llama2c-read.js';
import { importLlama2c } from './llama2c-import.js';
import { loadHfFolder } from './hf-folder.js';
import { hfToMetaRows, metaToHfRows } from './rope-permute.js';
import { fixtureTensors, writeLegacyFixture, writeVersion1Fixture, type FixtureSpec } from './__tests__/llama2c-fixture.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const shared = resolve(repoRoot, '../shared');
const models = join(shared, 'models');
const root = mkdtempSync(join(tmpdir(), 'chainlm-llama2c-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const spec: FixtureSpec = { dim: 16, hiddenDim: 24, layers: 2, heads: 4, kvHeads: 2, vocabSize: 10, seqLen: 8, shared: false, theta: 500000 };

/** Rotates one head vector in place: Meta pairs (2i, 2i+1) or HF pairs (i, i + d/2). */
function rope(vector: Float64Array, headDim: number, position: number, theta: number, layout: 'meta' | 'hf'): void {
  const half = headDim / 2;
  for (let head = 0; head < vector.length / headDim; head++) {
    for (let pair = 0; pair < half; pair++) {
      const angle = position * theta ** ((-2 * pair) / headDim);
      const [a, b] = layout === 'meta' ? [head * headDim + 2 * pair, head * headDim + 2 * pair + 1] : [head * headDim + pair, head * headDim + pair + half];
      const [x, y] = [vector[a], vector[b]];
      vector[a] = x * Math.cos(angle) - y * Math.sin(angle);
      vector[b] = x * Math.sin(angle) + y * Math.cos(angle);
    }
  }
}

function matVec(weights: Float32Array, rows: number, input: Float64Array): Float64Array {
  const out = new Float64Array(rows);
  for (let row = 0; row < rows; row++) for (let column = 0; column < input.length; column++) out[row] += weights[row * input.length + column] * input[column];
  return out;
}

/** Attention logits q_h · k_{h/group} of every head, with RoPE at the given positions. */
function scores(wq: Float32Array, wk: Float32Array, x: Float64Array, layout: 'meta' | 'hf', qPosition: number, kPosition: number): number[] {
  const headDim = spec.dim / spec.heads;
  const q = matVec(wq, spec.dim, x);
  const k = matVec(wk, headDim * spec.kvHeads, x);
  rope(q, headDim, qPosition, spec.theta!, layout);
  rope(k, headDim, kPosition, spec.theta!, layout);
  return Array.from({ length: spec.heads }, (_, head) => {
    const kvHead = Math.floor(head / (spec.heads / spec.kvHeads));
    let dot = 0;
    for (let index = 0; index < headDim; index++) dot += q[head * headDim + index] * k[kvHead * headDim + index];
    return dot;
  });
}

describe('llama2.c checkpoints', () => {
  const tensors = fixtureTensors(spec);

  it('permutes rows per head: HF order is the even rows, then the odd rows, of each Meta head', () => {
    const rows = Float32Array.from({ length: 8 }, (_, row) => row); // 2 heads × headDim 4, 1 column
    expect([...metaToHfRows(rows, 2, 8, 1)]).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
    expect([...hfToMetaRows(metaToHfRows(rows, 2, 8, 1), 2, 8, 1)]).toEqual([...rows]);
    expect(() => metaToHfRows(rows, 3, 8, 1)).toThrow(/do not split into 3 heads/);
  });

  it('reads legacy and version-1 files to the same HF weights, keeping attention scores under RoPE', async () => {
    writeLegacyFixture(join(root, 'v0.bin'), spec, tensors);
    writeVersion1Fixture(join(root, 'v1.bin'), spec, tensors);
    const legacy = await readLlama2c(join(root, 'v0.bin'));
    const version1 = await readLlama2c(join(root, 'v1.bin'));
    expect(legacy.config).toMatchObject({ version: 0, dim: 16, hiddenDim: 24, layers: 2, heads: 4, kvHeads: 2, vocabSize: 10, seqLen: 8, sharedClassifier: false, ropeTheta: 500000 });
    expect(version1.config).toMatchObject({ version: 1, sharedClassifier: false, ropeTheta: 10000 });
    expect(legacy.warnings).toEqual([]);
    expect([...legacy.weights.keys()]).toEqual([...version1.weights.keys()]);
    for (const [name, tensor] of legacy.weights) expect(version1.weights.get(name), name).toEqual(tensor);
    expect(legacy.weights.get('model.layers.1.mlp.down_proj.weight')!.data).toEqual(tensors.w2.subarray(16 * 24));
    expect(legacy.weights.get('lm_head.weight')!.data).toEqual(tensors.wcls);
    const headerOnly = await readLlama2c(join(root, 'v0.bin'), { weights: false });
    expect(headerOnly.weights.size).toBe(0);
    expect(headerOnly.config).toEqual(legacy.config);
    expect(headerOnly.tensors).toEqual([...legacy.weights].map(([name, tensor]) => ({ name, shape: tensor.shape })));
    // Layer 1's q/k under both layouts give the same attention logits.
    const x = Float64Array.from({ length: spec.dim }, (_, index) => Math.sin(index + 1));
    const metaQ = tensors.wq.subarray(16 * 16);
    const metaK = tensors.wk.subarray(8 * 16);
    const hfQ = legacy.weights.get('model.layers.1.self_attn.q_proj.weight')!.data;
    const hfK = legacy.weights.get('model.layers.1.self_attn.k_proj.weight')!.data;
    expect(hfQ).not.toEqual(metaQ);
    const want = scores(metaQ, metaK, x, 'meta', 5, 2);
    const got = scores(hfQ, hfK, x, 'hf', 5, 2);
    for (let head = 0; head < spec.heads; head++) expect(got[head]).toBeCloseTo(want[head], 10);
  });

  it('rejects truncated files, bad headers and quantized versions with the reason', async () => {
    const bytes = readFileSync(join(root, 'v0.bin'));
    writeFileSync(join(root, 'short.bin'), bytes.subarray(0, bytes.length - 4));
    await expect(readLlama2c(join(root, 'short.bin'))).rejects.toThrow(/short\.bin: holds \d+ bytes but its v0 header .* needs \d+/);
    const badHeads = Buffer.from(bytes);
    badHeads.writeInt32LE(3, 12); // n_heads = 3 does not divide dim 16
    writeFileSync(join(root, 'heads.bin'), badHeads);
    await expect(readLlama2c(join(root, 'heads.bin'))).rejects.toThrow(/dim 16 does not split into 3 heads/);
    const zero = Buffer.from(bytes);
    zero.writeInt32LE(0, 0);
    writeFileSync(join(root, 'zero.bin'), zero);
    await expect(readLlama2c(join(root, 'zero.bin'))).rejects.toThrow(/header dim = 0 is not a plausible size/);
    const v2 = Buffer.alloc(300);
    v2.writeUInt32LE(0x616b3432, 0);
    v2.writeInt32LE(2, 4);
    writeFileSync(join(root, 'v2.bin'), v2);
    await expect(readLlama2c(join(root, 'v2.bin'))).rejects.toThrow(/version 2 \(Q8_0-quantized\) checkpoints are not supported/);
    writeFileSync(join(root, 'tiny.bin'), Buffer.alloc(10));
    await expect(readLlama2c(join(root, 'tiny.bin'))).rejects.toThrow(/too short for a llama2\.c checkpoint/);
    await expect(readLlama2c(join(root, 'absent.bin'))).rejects.toThrow(/absent\.bin: llama2\.c checkpoint not found/);
  });

  const llama2Tokenizer = join(models, 'llama2-tokenizer/tokenizer.model');
  it.skipIf(skipUnlessPresent(llama2Tokenizer, 'the llama2.c import with a SentencePiece tokenizer reads ../shared/models/llama2-tokenizer (check ../shared out beside the repo)'))('imports to an HF folder with a SentencePiece tokenizer, refusing a mismatched one', async () => {
    const tokenizer = llama2Tokenizer;
    const big = { ...spec, vocabSize: 32000, shared: true };
    writeVersion1Fixture(join(root, 'v32k.bin'), big, fixtureTensors(big));
    const out = join(root, 'hf32k');
    const result = await importLlama2c(join(root, 'v32k.bin'), out, { tokenizer });
    expect(result.files.sort()).toEqual(['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.model', 'tokenizer_config.json']);
    const folder = await loadHfFolder(out);
    expect(folder.tokenizerPath).toBe(join(out, 'tokenizer.model'));
    expect(folder.weights.has('lm_head.weight')).toBe(false);
    expect(JSON.parse(readFileSync(join(out, 'tokenizer_config.json'), 'utf8'))).toMatchObject({ bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>' });
    await expect(importLlama2c(join(root, 'v0.bin'), join(root, 'mismatch'), { tokenizer })).rejects.toThrow(/tokenizer has 32000 tokens but the model's vocab_size is 10/);
    expect(existsSync(join(root, 'mismatch'))).toBe(false);
  });
});

describe.skipIf(skipUnlessPresent(models, 'the stories260K import tests read ../shared/models (check ../shared out beside the repo)'))('stories260K (../shared/models)', () => {
  it('imports the real checkpoint: config, θ from its RoPE table, tied head, parameter count', async () => {
    const out = join(root, 'stories260K');
    const result = await importLlama2c(join(models, 'stories260K/stories260K.bin'), out);
    expect(result.config).toMatchObject({ version: 0, dim: 64, hiddenDim: 172, layers: 5, heads: 8, kvHeads: 4, vocabSize: 512, seqLen: 512, sharedClassifier: true, ropeTheta: 10000 });
    expect(result.warnings).toEqual([]);
    // 1,056,540 bytes = 28 + 4 × 264,128 floats, of which 2 × 512 × 4 are the RoPE table.
    expect(result.parameters).toBe(264128 - 2 * 512 * 4);
    const folder = await loadHfFolder(out);
    expect(folder.configJson).toMatchObject({ architectures: ['LlamaForCausalLM'], hidden_size: 64, num_key_value_heads: 4, tie_word_embeddings: true, bos_token_id: 1, eos_token_id: 2, torch_dtype: 'float32' });
    expect(folder.generationConfig).toMatchObject({ bos_token_id: 1, eos_token_id: 2 });
    expect(folder.tokenizerPath).toBeUndefined();
    expect(folder.weights.get('model.layers.4.self_attn.k_proj.weight')!.shape).toEqual([32, 64]);
  });
});
