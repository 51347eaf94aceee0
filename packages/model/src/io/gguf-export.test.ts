import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gguf, GGMLQuantizationType } from '@huggingface/gguf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import { exportGguf, ggufTensorName } from './gguf-export.js';
import { importLlama2c } from './llama2c-import.js';
import { saveHfFolder } from './hf-folder.js';
import { dequantizeQ4_0, dequantizeQ8_0 } from '../quant/ggml-blocks.js';
import { halfToFloat } from './half.js';
import { fixtureTensors, writeVersion1Fixture } from './__tests__/llama2c-fixture.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const models = resolve(repoRoot, '../shared/models');
const stories = join(models, 'stories260K/stories260K.bin');
const root = mkdtempSync(join(tmpdir(), 'chainlm-gguf-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function readBack(file: string) {
  const parsed = await gguf(file, { allowLocalFile: true });
  const bytes = readFileSync(file);
  const infos = new Map(parsed.tensorInfos.map((info) => [info.name, info]));
  /** Decodes a tensor's values (F32, F16 or Q8_0) straight from the file bytes. */
  const values = (name: string): Float32Array => {
    const info = infos.get(name)!;
    const count = info.shape.reduce((product, size) => product * Number(size), 1);
    const start = Number(parsed.tensorDataOffset + info.offset);
    if (info.dtype === GGMLQuantizationType.F32) return new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + start + 4 * count));
    if (info.dtype === GGMLQuantizationType.F16) return Float32Array.from({ length: count }, (_, index) => halfToFloat(bytes.readUInt16LE(start + 2 * index)));
    if (info.dtype === GGMLQuantizationType.Q4_0) return dequantizeQ4_0(new Uint8Array(bytes.buffer, bytes.byteOffset + start, (count / 32) * 18), count);
    return dequantizeQ8_0(new Uint8Array(bytes.buffer, bytes.byteOffset + start, (count / 32) * 34), count);
  };
  return { metadata: parsed.metadata as Record<string, unknown>, infos, values, dataOffset: parsed.tensorDataOffset };
}

/** Layer-0 wq of stories260K exactly as llama2.c stored it (Meta layout), from the raw .bin. */
function rawWq0(): Float32Array {
  const bytes = readFileSync(stories);
  // header 28 B, token embedding 512×64, rms_att 5×64, then wq [5, 64, 64].
  const start = 28 + 4 * (512 * 64 + 5 * 64);
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset + start, bytes.byteOffset + start + 4 * 64 * 64));
}

describe.skipIf(skipUnlessPresent(models, 'the GGUF export tests on stories260K read ../shared/models (check ../shared out beside the repo)'))('GGUF export of stories260K', () => {
  const hf = join(root, 'stories260K');
  beforeAll(async () => {
    await importLlama2c(stories, hf);
  });

  it('f32: metadata, llama.cpp names and shapes, q rows back in Meta layout', async () => {
    const out = join(root, 'stories-f32.gguf');
    const result = await exportGguf(hf, out, 'f32');
    expect(result.tokenizer).toBe('none');
    const file = await readBack(out);
    expect(file.metadata).toMatchObject({
      version: 3,
      'general.architecture': 'llama',
      'general.file_type': 0,
      'llama.context_length': 512,
      'llama.embedding_length': 64,
      'llama.block_count': 5,
      'llama.feed_forward_length': 172,
      'llama.attention.head_count': 8,
      'llama.attention.head_count_kv': 4,
      'llama.rope.dimension_count': 8,
      'llama.rope.freq_base': 10000,
      'llama.vocab_size': 512,
      'tokenizer.ggml.model': 'no_vocab',
    });
    expect(file.metadata['llama.attention.layer_norm_rms_epsilon']).toBeCloseTo(1e-5, 10);
    expect(file.infos.size).toBe(2 + 5 * 9); // token_embd, output_norm, 9 per block; tied: no output.weight
    const shape = (name: string) => file.infos.get(name)!.shape.map(Number);
    expect(shape('token_embd.weight')).toEqual([64, 512]);
    expect(shape('blk.0.attn_q.weight')).toEqual([64, 64]);
    expect(shape('blk.4.attn_k.weight')).toEqual([64, 32]);
    expect(shape('blk.2.ffn_down.weight')).toEqual([172, 64]);
    expect(shape('blk.2.ffn_gate.weight')).toEqual([64, 172]);
    expect(shape('output_norm.weight')).toEqual([64]);
    expect(file.infos.has('output.weight')).toBe(false);
    expect(Number(file.dataOffset) % 32).toBe(0);
    for (const info of file.infos.values()) expect(Number(info.offset) % 32).toBe(0);
    // HF → GGUF must undo the import's permutation exactly: bytes equal the original llama2.c wq.
    expect(file.values('blk.0.attn_q.weight')).toEqual(rawWq0());
  });

  it('f16 and q8_0: norms stay f32, rows not divisible by 32 fall back to f16, values dequantize closely', async () => {
    const f32 = await readBack(join(root, 'stories-f32.gguf'));
    for (const type of ['f16', 'q8_0'] as const) {
      const out = join(root, `stories-${type}.gguf`);
      await exportGguf(hf, out, type);
      const file = await readBack(out);
      expect(file.metadata['general.file_type']).toBe(type === 'f16' ? 1 : 7);
      const dtype = (name: string) => file.infos.get(name)!.dtype;
      const matrix = type === 'f16' ? GGMLQuantizationType.F16 : GGMLQuantizationType.Q8_0;
      expect(dtype('blk.0.attn_norm.weight')).toBe(GGMLQuantizationType.F32);
      expect(dtype('output_norm.weight')).toBe(GGMLQuantizationType.F32);
      expect(dtype('token_embd.weight')).toBe(matrix);
      expect(dtype('blk.0.attn_q.weight')).toBe(matrix);
      expect(dtype('blk.0.ffn_gate.weight')).toBe(matrix);
      expect(dtype('blk.0.ffn_down.weight')).toBe(GGMLQuantizationType.F16); // rows of 172 values
      for (const name of ['token_embd.weight', 'blk.3.attn_k.weight', 'blk.1.ffn_down.weight']) {
        const exact = f32.values(name);
        const got = file.values(name);
        let worst = 0;
        let maxAbs = 0;
        for (let index = 0; index < exact.length; index++) {
          worst = Math.max(worst, Math.abs(got[index] - exact[index]));
          maxAbs = Math.max(maxAbs, Math.abs(exact[index]));
        }
        // q8_0: at most half a step of max|x|/127 (+ f16 scale rounding); f16: 2^-11 relative.
        const bound = dtype(name) === GGMLQuantizationType.Q8_0 ? maxAbs / 127 / 2 + maxAbs * 2 ** -11 : maxAbs * 2 ** -11;
        expect(worst, `${type} ${name}`).toBeLessThanOrEqual(bound);
        expect(worst, `${type} ${name}`).toBeGreaterThan(0);
      }
    }
  });

  it('q4_0: matrices Q4_0, the tied token_embd (the output) Q8_0, rows of 172 f16', async () => {
    const f32 = await readBack(join(root, 'stories-f32.gguf'));
    const out = join(root, 'stories-q4_0.gguf');
    await exportGguf(hf, out, 'q4_0');
    const file = await readBack(out);
    expect(file.metadata['general.file_type']).toBe(2);
    const dtype = (name: string) => file.infos.get(name)!.dtype;
    expect(dtype('blk.0.attn_norm.weight')).toBe(GGMLQuantizationType.F32);
    expect(dtype('token_embd.weight')).toBe(GGMLQuantizationType.Q8_0);
    expect(dtype('blk.0.attn_q.weight')).toBe(GGMLQuantizationType.Q4_0);
    expect(dtype('blk.4.ffn_up.weight')).toBe(GGMLQuantizationType.Q4_0);
    expect(dtype('blk.0.ffn_down.weight')).toBe(GGMLQuantizationType.F16);
    const exact = f32.values('blk.3.attn_v.weight');
    const got = file.values('blk.3.attn_v.weight');
    let worst = 0;
    let maxAbs = 0;
    for (let index = 0; index < exact.length; index++) {
      worst = Math.max(worst, Math.abs(got[index] - exact[index]));
      maxAbs = Math.max(maxAbs, Math.abs(exact[index]));
    }
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(maxAbs / 8 + maxAbs * 2 ** -10); // one step of d = max|x|/8 (see quant/ggml-blocks.test.ts)
  });
});

describe('GGUF export with a tokenizer and errors', () => {
  const tokenizer = join(models, 'llama2-tokenizer/tokenizer.model');
  const reference = join(models, 'llama.cpp-vocab/ggml-vocab-llama-spm.gguf');

  it.skipIf(skipUnlessPresent(reference, 'the llama.cpp vocabulary comparison reads ../shared/models/llama.cpp-vocab (check ../shared out beside the repo)'))('embeds a SentencePiece vocabulary identical to llama.cpp own llama-spm vocab file', async () => {
    const spec = { dim: 32, hiddenDim: 64, layers: 1, heads: 4, kvHeads: 4, vocabSize: 32000, seqLen: 16, shared: false };
    writeVersion1Fixture(join(root, 'v32k.bin'), spec, fixtureTensors(spec));
    const hf = join(root, 'v32k');
    await importLlama2c(join(root, 'v32k.bin'), hf, { tokenizer });
    const out = join(root, 'v32k.gguf');
    const result = await exportGguf(hf, out, 'q8_0');
    expect(result.tokenizer).toBe('llama');
    const ours = (await readBack(out)).metadata;
    const theirs = (await gguf(reference, { allowLocalFile: true })).metadata as Record<string, unknown>;
    for (const key of ['tokenizer.ggml.model', 'tokenizer.ggml.pre', 'tokenizer.ggml.tokens', 'tokenizer.ggml.scores', 'tokenizer.ggml.token_type', 'tokenizer.ggml.bos_token_id', 'tokenizer.ggml.eos_token_id', 'tokenizer.ggml.unknown_token_id', 'tokenizer.ggml.add_bos_token', 'tokenizer.ggml.add_eos_token']) {
      expect(ours[key], key).toEqual(theirs[key]);
    }
    expect((await readBack(out)).infos.has('output.weight')).toBe(true);
  });

  const gpt2 = join(models, 'gpt2-tokenizer');
  const gpt2Reference = join(models, 'llama.cpp-vocab/ggml-vocab-gpt-2.gguf');
  it.skipIf(skipUnlessPresent([gpt2, gpt2Reference], 'the BPE vocabulary comparison reads ../shared/models/gpt2-tokenizer and llama.cpp-vocab (check ../shared out beside the repo)'))('embeds GPT-2 tokenizer.json as llama.cpp own ggml-vocab-gpt-2 file holds it', async () => {
    const dir = join(root, 'gpt2-vocab');
    const configJson = { architectures: ['LlamaForCausalLM'], hidden_size: 32, num_attention_heads: 2, num_hidden_layers: 1, intermediate_size: 64, vocab_size: 50257, max_position_embeddings: 64, bos_token_id: 50256, eos_token_id: 50256, tie_word_embeddings: true };
    const weights = new Map([['model.embed_tokens.weight', { shape: [50257, 32], dtype: 'F32' as const, data: new Float32Array(50257 * 32) }]]);
    await saveHfFolder(dir, { configJson, weights, tokenizerFiles: [join(gpt2, 'tokenizer.json'), join(gpt2, 'tokenizer_config.json')] });
    const out = join(root, 'gpt2-vocab.gguf');
    expect(await exportGguf(dir, out, 'f16')).toMatchObject({ tokenizer: 'gpt2', warnings: [] });
    const ours = (await readBack(out)).metadata;
    const theirs = (await gguf(gpt2Reference, { allowLocalFile: true })).metadata as Record<string, unknown>;
    // clean_up_tokenization_spaces: true in GPT-2's tokenizer_config.json → "gpt-2", as theirs.
    for (const key of ['tokenizer.ggml.model', 'tokenizer.ggml.pre', 'tokenizer.ggml.tokens', 'tokenizer.ggml.token_type', 'tokenizer.ggml.merges', 'tokenizer.ggml.bos_token_id', 'tokenizer.ggml.eos_token_id']) {
      expect(ours[key], key).toEqual(theirs[key]);
    }
    expect(ours['tokenizer.ggml.add_bos_token']).toBe(false);
  });

  it('refuses non-Llama folders, biases, unknown tensors and oversize vocabularies', async () => {
    const weights = new Map([['model.norm.weight', { shape: [4], dtype: 'F32' as const, data: new Float32Array(4) }]]);
    const base = { architectures: ['LlamaForCausalLM'], hidden_size: 4, num_attention_heads: 2, num_hidden_layers: 1, intermediate_size: 8, vocab_size: 8, max_position_embeddings: 16 };
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2' }, /architectures: \["Qwen2ForCausalLM"\] is not LlamaForCausalLM/],
      [{ ...base, attention_bias: true }, /attention_bias: biases are not part of the GGUF llama layout/],
      [{ ...base, hidden_size: 'big' }, /hidden_size: expected a positive integer, got "big"/],
      [{ ...base, rope_scaling: { type: 'dynamic', factor: 2 } }, /rope_scaling: .* cannot be expressed/],
    ];
    for (const [index, [configJson, pattern]] of cases.entries()) {
      const dir = join(root, `bad-${index}`);
      await saveHfFolder(dir, { configJson, weights });
      await expect(exportGguf(dir, join(root, 'bad.gguf'), 'f32')).rejects.toThrow(pattern);
    }
    expect(existsSync(join(root, 'bad.gguf'))).toBe(false);
    expect(() => ggufTensorName('model.layers.0.self_attn.q_proj.bias')).toThrow(/tensor "model\.layers\.0\.self_attn\.q_proj\.bias" has no GGUF llama equivalent/);
    expect(ggufTensorName('model.layers.0.self_attn.rotary_emb.inv_freq')).toBeUndefined();
    if (!skipUnlessPresent(tokenizer, 'the vocab-size mismatch check uses ../shared/models/llama2-tokenizer (check ../shared out beside the repo)')) {
      const dir = join(root, 'small-vocab');
      await saveHfFolder(dir, { configJson: base, weights, tokenizerFiles: [tokenizer] });
      await expect(exportGguf(dir, join(root, 'bad.gguf'), 'f32')).rejects.toThrow(/tokenizer\.model: 32000 tokens but config\.json vocab_size is 8/);
    }
    const withJson = join(root, 'json-tokenizer');
    const tokenizerJson = join(root, 'tokenizer.json');
    writeFileSync(tokenizerJson, '{"model": {"type": "BPE"}}');
    await saveHfFolder(withJson, { configJson: base, weights, tokenizerFiles: [tokenizerJson] });
    const exported = await exportGguf(withJson, join(root, 'json.gguf'), 'f16');
    expect(exported).toMatchObject({ tokenizer: 'none', warnings: [expect.stringMatching(/tokenizer\.json is not embedded/)] });
    const quantized = join(root, 'quantized');
    mkdirSync(quantized);
    writeFileSync(join(quantized, 'quantized.json'), '{"format": "chainlm-quantized"}');
    await expect(exportGguf(quantized, join(root, 'bad.gguf'), 'q4_0')).rejects.toThrow(/quantized\.json: a chainlm-quantized folder cannot be exported to GGUF/);
    const linear = join(root, 'linear');
    await saveHfFolder(linear, { configJson: { ...base, rope_scaling: { type: 'linear', factor: 4 } }, weights });
    await exportGguf(linear, join(root, 'linear.gguf'), 'f32');
    expect((await readBack(join(root, 'linear.gguf'))).metadata).toMatchObject({ 'llama.rope.scaling.type': 'linear', 'llama.rope.scaling.factor': 4, 'llama.attention.head_count_kv': 2 });
  });
});
