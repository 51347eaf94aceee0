import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildTokenizerConfig, saveTokenizerJson, trainBpeTokenizer } from '../tokenizer/index.js';
import { bpeTokenizerMetadata, llamaCppPreTokenizer } from './gguf-bpe-vocab.js';
import type { GgufValue } from './gguf-writer.js';

const root = mkdtempSync(join(tmpdir(), 'chainlm-gguf-bpe-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
const digitsThenByteLevel = { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, byteLevel] };
const base = { model: { type: 'BPE', dropout: null, byte_fallback: false }, normalizer: null, decoder: byteLevel, added_tokens: [] };

describe('llama.cpp pre-tokenizer for a tokenizer.json', () => {
  it('maps the two byte-level shapes; clean_up_tokenization_spaces picks the name', () => {
    expect(llamaCppPreTokenizer({ ...base, pre_tokenizer: byteLevel }, true)).toEqual({ pre: 'gpt-2' });
    expect(llamaCppPreTokenizer({ ...base, pre_tokenizer: byteLevel }, false)).toEqual({ pre: 'granite-docling' });
    expect(llamaCppPreTokenizer({ ...base, pre_tokenizer: digitsThenByteLevel }, true)).toEqual({ pre: 'starcoder' });
    expect(llamaCppPreTokenizer({ ...base, pre_tokenizer: digitsThenByteLevel }, false)).toEqual({ pre: 'smollm' });
  });

  it('refuses, with the reason, what no llama.cpp pre-tokenizer reproduces', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ ...base, model: { type: 'Unigram' }, pre_tokenizer: byteLevel }, /model\.type is "Unigram", not BPE/],
      [{ ...base, model: { type: 'BPE', byte_fallback: true }, pre_tokenizer: byteLevel }, /byte_fallback/],
      [{ ...base, normalizer: { type: 'NFC' }, pre_tokenizer: byteLevel }, /normalizer \("NFC"\)/],
      [{ ...base, decoder: { type: 'Metaspace' }, pre_tokenizer: byteLevel }, /decoder is not ByteLevel/],
      [{ ...base, pre_tokenizer: { ...byteLevel, add_prefix_space: true } }, /pre_tokenizer .* matches no llama\.cpp pre-tokenizer/],
      [{ ...base, pre_tokenizer: { type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: false }, byteLevel] } }, /matches no llama\.cpp pre-tokenizer/],
      [{ ...base, pre_tokenizer: byteLevel, added_tokens: [{ id: 0, content: '<x>', lstrip: true }] }, /lstrip/],
    ];
    for (const [spec, reason] of cases) {
      const result = llamaCppPreTokenizer(spec as never, false);
      expect('reason' in result && result.reason, JSON.stringify(spec)).toMatch(reason);
    }
  });
});

describe('BPE vocabulary metadata', () => {
  it('tokens in id order, special tokens control, padding rows unused, merges, ids and add_bos from the tokenizer', async () => {
    const { tokenizerJson, mergeCount } = await trainBpeTokenizer(['the cat sat on the mat 12', 'the dog 345'], { vocabSize: 280, specialTokens: ['<s>', '</s>'], minFrequency: 1, splitDigits: true });
    const dir = join(root, 'tok');
    await saveTokenizerJson(tokenizerJson, dir);
    expect(buildTokenizerConfig(tokenizerJson)).toMatchObject({ bos_token: '<s>', eos_token: '</s>' });
    const warnings: string[] = [];
    const metadata = new Map((await bpeTokenizerMetadata(dir, 300, {}, { clean_up_tokenization_spaces: false }, warnings))!);
    const value = (key: string) => (metadata.get(key) as Extract<GgufValue, { value: unknown }> | undefined)?.value;
    expect(warnings).toEqual([]);
    expect(value('tokenizer.ggml.model')).toBe('gpt2');
    expect(value('tokenizer.ggml.pre')).toBe('smollm');
    const tokens = value('tokenizer.ggml.tokens') as string[];
    const types = Array.from(value('tokenizer.ggml.token_type') as number[]);
    expect(tokens).toHaveLength(300);
    expect(tokens.slice(0, 3)).toEqual(['<s>', '</s>', 'Ā']); // byte 0 in GPT-2's byte-level spelling
    expect(tokens.slice(2 + 256, 2 + 256 + 1)).toEqual([tokenizerJson.model.merges[0].replace(' ', '')]);
    expect(tokens[299]).toBe('[PAD299]');
    expect(types.slice(0, 3)).toEqual([3, 3, 1]); // control, control, normal (a byte token is a normal token in a BPE vocab)
    expect(types[299]).toBe(5);
    expect(value('tokenizer.ggml.merges')).toEqual(tokenizerJson.model.merges);
    expect((value('tokenizer.ggml.merges') as string[]).length).toBe(mergeCount);
    expect(value('tokenizer.ggml.bos_token_id')).toBe(0);
    expect(value('tokenizer.ggml.eos_token_id')).toBe(1);
    expect(value('tokenizer.ggml.add_bos_token')).toBe(false); // GPT-2 byte-level: encode adds nothing
    expect(metadata.has('tokenizer.chat_template')).toBe(false);
    await expect(bpeTokenizerMetadata(dir, 100, {}, {}, warnings)).rejects.toThrow(/tokenizer\.json: \d+ tokens but config\.json vocab_size is 100/);
  });
});
