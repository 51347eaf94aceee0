import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import { loadTokenizer } from './load-tokenizer.js';
import type { TableTokenizer } from './table-tokenizer.js';
import { readVocabTestVectors, type VocabTestCase } from './vocab-test-vectors.js';

const shared = fileURLToPath(new URL('../../../../../shared/', import.meta.url));
const hasShared = !skipUnlessPresent(shared, 'the llama.cpp tokenizer vector tests read ../shared/models (check ../shared out beside the repo)');
const vocab = (name: string) => `${shared}models/llama.cpp-vocab/ggml-vocab-${name}.gguf`;

describe.skipIf(!hasShared)('llama.cpp GPT-2 vectors with gpt2-tokenizer/tokenizer.json', () => {
  let cases: VocabTestCase[];
  let fast: TableTokenizer;
  let library: TableTokenizer;
  beforeAll(async () => {
    cases = await readVocabTestVectors(`${vocab('gpt-2')}.inp`, `${vocab('gpt-2')}.out`);
    fast = await loadTokenizer(`${shared}models/gpt2-tokenizer`);
    library = await loadTokenizer(`${shared}models/gpt2-tokenizer/tokenizer.json`, { forceLibrary: true });
  });

  it('reads all 46 cases', () => {
    expect(cases).toHaveLength(46);
    expect(cases[0]).toEqual({ text: 'ied 4 ½ months', ids: [798, 604, 25208, 1933] });
  });

  it('the fast byte-level encoder reproduces every vector', () => {
    for (const { text, ids } of cases) expect(fast.encode(text, { addSpecialTokens: false }), JSON.stringify(text)).toEqual(ids);
  });

  it('@huggingface/tokenizers reproduces every vector', () => {
    for (const { text, ids } of cases) expect(library.encode(text), JSON.stringify(text)).toEqual(ids);
  });

  it('decodes every vector back to its text', () => {
    for (const { text, ids } of cases) expect(fast.decode(ids)).toBe(text);
  });

  it('knows GPT-2 special tokens from tokenizer_config.json', () => {
    expect(fast.bosId).toBe(50256);
    expect(fast.eosId).toBe(50256);
    expect(fast.padId).toBeNull();
    expect(fast.vocabSize).toBe(50257);
    expect(fast.specialTokens.get('<|endoftext|>')).toBe(50256);
    expect(fast.encode('a<|endoftext|>b')).toEqual([64, 50256, 65]);
    expect(fast.decode([64, 50256, 65], { skipSpecialTokens: true })).toBe('ab');
    expect(fast.idToToken(995)).toBe('Ġworld');
    expect(fast.tokenToId('Ġworld')).toBe(995);
  });
});

describe.skipIf(!hasShared)('llama.cpp llama-spm vectors with llama2-tokenizer', () => {
  let cases: VocabTestCase[];
  let sentencePiece: TableTokenizer;
  let llama2c: TableTokenizer;
  beforeAll(async () => {
    cases = await readVocabTestVectors(`${vocab('llama-spm')}.inp`, `${vocab('llama-spm')}.out`);
    sentencePiece = await loadTokenizer(`${shared}models/llama2-tokenizer/tokenizer.model`);
    llama2c = await loadTokenizer(`${shared}models/llama2-tokenizer/tokenizer.bin`);
  });

  it('tokenizer.model (SentencePiece) reproduces every vector (no BOS, as the vectors have none)', () => {
    expect(cases).toHaveLength(46);
    for (const { text, ids } of cases) expect(sentencePiece.encode(text, { addSpecialTokens: false }), JSON.stringify(text)).toEqual(ids);
  });

  it('adds BOS by default and parses <s> written in the text', () => {
    expect(sentencePiece.encode('Hello world')).toEqual([1, 15043, 3186]);
    expect(sentencePiece.encode('<s>Hello', { addSpecialTokens: false })).toEqual([1, 15043]);
  });

  it('decodes every vector back to its text (dummy-prefix space removed)', () => {
    for (const { text, ids } of cases) expect(sentencePiece.decode([1, ...ids], { skipSpecialTokens: true }), JSON.stringify(text)).toBe(text);
  });

  it('tokenizer.bin (llama2.c run.c algorithm) reproduces the vectors', () => {
    const mismatches = cases.filter(({ text, ids }) => text !== '' && JSON.stringify(llama2c.encode(text, { addSpecialTokens: false })) !== JSON.stringify(ids));
    expect(mismatches.map((c) => c.text)).toEqual([]);
    expect(llama2c.encode('', { addSpecialTokens: true })).toEqual([1]);
    expect(llama2c.bosId).toBe(1);
    expect(llama2c.eosId).toBe(2);
  });
});
