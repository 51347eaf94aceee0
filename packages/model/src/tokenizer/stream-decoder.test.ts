import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import { trainBpeTokenizer } from './bpe-trainer.js';
import { loadTokenizer } from './load-tokenizer.js';
import type { Tokenizer } from './types.js';

const shared = fileURLToPath(new URL('../../../../../shared/', import.meta.url));
const hasShared = !skipUnlessPresent(shared, 'the SentencePiece streaming tests read ../shared/models (check ../shared out beside the repo)');

const chinese = '床前明月光，疑是地上霜。举头望明月🌙，低头思故乡。';

function streamAll(tokenizer: Tokenizer, ids: number[], skipSpecialTokens = false): string[] {
  const stream = tokenizer.createStreamDecoder({ skipSpecialTokens });
  const deltas = ids.map((id) => stream.push(id));
  deltas.push(stream.flush());
  return deltas;
}

async function englishOnlyTokenizer(): Promise<Tokenizer> {
  // Trained on English only: every Chinese character is 3 byte tokens, the emoji 4.
  const { tokenizer } = await trainBpeTokenizer(['the quick brown fox jumps over the lazy dog'], { vocabSize: 300, minFrequency: 1 });
  return tokenizer;
}

describe('stream decoder over byte-level BPE', () => {
  it('emits nothing for the first bytes of a split character, then the whole character', async () => {
    const tokenizer = await englishOnlyTokenizer();
    const ids = tokenizer.encode('床');
    expect(ids).toHaveLength(3);
    expect(streamAll(tokenizer, ids)).toEqual(['', '', '床', '']);
  });

  it('never emits half a character, and the deltas add up to decode()', async () => {
    const tokenizer = await englishOnlyTokenizer();
    const ids = tokenizer.encode(`fox ${chinese} dog`);
    expect(ids.length).toBeGreaterThan(60);
    const deltas = streamAll(tokenizer, ids);
    for (const delta of deltas) expect(delta).not.toContain('\uFFFD');
    expect(deltas.join('')).toBe(tokenizer.decode(ids));
    expect(deltas.join('')).toBe(`fox ${chinese} dog`);
  });

  it('flush() turns a dangling partial character into U+FFFD, as decode() does', async () => {
    const tokenizer = await englishOnlyTokenizer();
    const ids = tokenizer.encode('床').slice(0, 2);
    expect(streamAll(tokenizer, ids)).toEqual(['', '', '\uFFFD']);
    expect(tokenizer.decode(ids)).toBe('\uFFFD');
  });

  it('skips special tokens when asked and rejects ids outside the vocabulary', async () => {
    const tokenizer = await englishOnlyTokenizer();
    const ids = [...tokenizer.encode('fox'), 0, ...tokenizer.encode('dog')];
    expect(streamAll(tokenizer, ids, true).join('')).toBe('foxdog');
    expect(streamAll(tokenizer, ids, false).join('')).toBe('fox<|endoftext|>dog');
    const stream = tokenizer.createStreamDecoder();
    expect(() => stream.push(tokenizer.vocabSize)).toThrow(`token id ${tokenizer.vocabSize} is outside the vocabulary (0..${tokenizer.vocabSize - 1})`);
    expect(() => tokenizer.decode([-1])).toThrow(/outside the vocabulary/);
  });
});

describe.skipIf(!hasShared)('stream decoder over SentencePiece byte fallback', () => {
  it('Llama-2: rare characters fall back to <0xAB> pieces and stream whole', async () => {
    const tokenizer = await loadTokenizer(`${shared}models/llama2-tokenizer/tokenizer.model`);
    const ids = tokenizer.encode(chinese);
    const byteTokens = ids.filter((id) => /^<0x[0-9A-F]{2}>$/.test(tokenizer.idToToken(id) ?? ''));
    expect(byteTokens.length).toBeGreaterThan(4);
    const deltas = streamAll(tokenizer, ids, true);
    for (const delta of deltas) expect(delta).not.toContain('\uFFFD');
    expect(deltas.join('')).toBe(chinese);
    // The dummy-prefix space of the first piece is dropped, as SentencePiece does.
    expect(streamAll(tokenizer, tokenizer.encode('Hello world'), true).join('')).toBe('Hello world');
  });

  it('llama2.c tokenizer.bin streams the same text', async () => {
    const tokenizer = await loadTokenizer(`${shared}models/llama2-tokenizer/tokenizer.bin`);
    const ids = tokenizer.encode(chinese);
    expect(streamAll(tokenizer, ids, true).join('')).toBe(chinese);
    expect(tokenizer.decode(ids)).toBe(`<s>${chinese}`);
  });
});
