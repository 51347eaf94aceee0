import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import { trainBpeTokenizer, type TrainedBpe } from './bpe-trainer.js';
import { tokenizerFromJson } from './hf-tokenizer.js';
import { loadTokenizer } from './load-tokenizer.js';
import { saveTokenizerJson } from './tokenizer-json.js';

const shared = fileURLToPath(new URL('../../../../../shared/', import.meta.url));
const hasShared = !skipUnlessPresent(shared, 'the BPE trainer corpus tests read tinyshakespeare and chinese-poetry from ../shared (check ../shared out beside the repo)');

function mixedCorpus(): string[] {
  const english = readFileSync(`${shared}datasets/tinyshakespeare/input.txt`, 'utf8').split('\n');
  const chinese: string[] = [];
  for (const file of ['quantangshi/poet.tang.0.json', 'songci/ci.song.0.json', 'quantangshi/tangshi_sanbaishou.json']) {
    const poems = JSON.parse(readFileSync(`${shared}datasets/chinese-poetry/${file}`, 'utf8')) as { paragraphs?: string[] }[];
    for (const poem of poems) chinese.push(...(poem.paragraphs ?? []));
  }
  return [...english, ...chinese];
}

describe('trainBpeTokenizer on a tiny corpus', () => {
  it('merges the most frequent pair first and stops at vocabSize', async () => {
    const { tokenizer, tokenizerJson, mergeCount } = await trainBpeTokenizer(['hug hug hug pug pun bun'], { vocabSize: 257 + 3, specialTokens: ['<|endoftext|>'] });
    expect(tokenizer.vocabSize).toBe(260);
    expect(mergeCount).toBe(3);
    // "ug" occurs 4 times (hug ×3, pug), more than any other pair.
    expect(tokenizerJson.model.merges[0]).toBe('u g');
    expect(tokenizer.decode(tokenizer.encode('hug pun'))).toBe('hug pun');
  });

  it('stops early when pairs fall below minFrequency', async () => {
    const { mergeCount } = await trainBpeTokenizer(['ab ab cd'], { vocabSize: 1000, minFrequency: 2 });
    // Words "ab", " ab", " cd": only (a, b) is seen twice.
    expect(mergeCount).toBe(1);
    const { mergeCount: none } = await trainBpeTokenizer(['ab ab cd'], { vocabSize: 1000, minFrequency: 3 });
    expect(none).toBe(0);
  });

  it('accepts an async iterable and keeps special tokens whole', async () => {
    async function* lines() {
      yield 'hello world';
      yield '你好，世界';
    }
    const { tokenizer } = await trainBpeTokenizer(lines(), { vocabSize: 300, specialTokens: ['<|endoftext|>', '<pad>'] });
    expect(tokenizer.specialTokens.get('<pad>')).toBe(1);
    expect(tokenizer.padId).toBe(1);
    expect(tokenizer.eosId).toBe(0);
    const ids = tokenizer.encode('hi<|endoftext|>你');
    expect(ids).toContain(0);
    expect(tokenizer.decode(ids)).toBe('hi<|endoftext|>你');
    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('hi你');
  });

  it('splitDigits: numbers stay digit by digit, matching the library on the written tokenizer.json', async () => {
    const corpus = ['12 + 7 = 19. The year 1999 had 12 months, 12 days, 12 ways.', 'x12y 12 12 12 ١٢ ²3', '1212121212 12 12'];
    const plain = await trainBpeTokenizer(corpus, { vocabSize: 300 });
    const split = await trainBpeTokenizer(corpus, { vocabSize: 300, splitDigits: true });
    const pieces = (trained: TrainedBpe, text: string) => trained.tokenizer.encode(text).map((id) => trained.tokenizer.decode([id]));
    expect(pieces(plain, ' 12')).toEqual([' 12']);
    const digitPieces = pieces(split, ' 12 + 7 = 19.').filter((piece) => /\d/.test(piece));
    expect(digitPieces).toEqual(['1', '2', '7', '1', '9']);
    expect(split.tokenizerJson.model.merges.some((merge) => /\d/.test(merge))).toBe(false);
    expect(split.tokenizerJson.pre_tokenizer).toEqual({ type: 'Sequence', pretokenizers: [{ type: 'Digits', individual_digits: true }, expect.objectContaining({ type: 'ByteLevel' })] });
    const library = tokenizerFromJson(split.tokenizerJson, {}, 'split', { forceLibrary: true });
    for (const line of [...corpus, 'a1b22c333 ٣٤ 4.5e10', '  99  bottles']) {
      expect(split.tokenizer.encode(line), line).toEqual(library.encode(line));
      expect(split.tokenizer.decode(split.tokenizer.encode(line))).toBe(line);
    }
  });

  it('rejects bad options naming the field', async () => {
    await expect(trainBpeTokenizer(['a'], { vocabSize: 100 })).rejects.toThrow(/options\.vocabSize/);
    await expect(trainBpeTokenizer(['a'], { vocabSize: 300, minFrequency: 0 })).rejects.toThrow(/options\.minFrequency/);
    await expect(trainBpeTokenizer(['a'], { vocabSize: 300, specialTokens: ['<a>', '<a>'] })).rejects.toThrow(/duplicates/);
    await expect(trainBpeTokenizer(['a'], { vocabSize: 257, specialTokens: ['<a>', '<b>'] })).rejects.toThrow(/256 bytes \+ 2 special/);
    await expect(trainBpeTokenizer(['a'], { vocabSize: 300, extra: 1 } as never)).rejects.toThrow(/extra/);
  });
});

describe.skipIf(!hasShared)('trainBpeTokenizer on tinyshakespeare + chinese-poetry', () => {
  let lines: string[];
  let trained: TrainedBpe;
  let dir: string;
  beforeAll(async () => {
    lines = mixedCorpus();
    const started = performance.now();
    trained = await trainBpeTokenizer(lines, { vocabSize: 4000 });
    const megabytes = Buffer.byteLength(lines.join('\n')) / 1e6;
    console.log(`trained vocab 4000 on ${lines.length} lines (${megabytes.toFixed(2)} MB) in ${((performance.now() - started) / 1000).toFixed(2)} s`);
    dir = mkdtempSync(path.join(tmpdir(), 'chainlm-bpe-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('learns the full vocabulary, Chinese included', () => {
    expect(trained.tokenizer.vocabSize).toBe(4000);
    const poem = '白日依山尽，黄河入海流。';
    const ids = trained.tokenizer.encode(poem);
    expect(ids.length).toBeLessThan(Buffer.byteLength(poem));
  });

  it('round-trips every line exactly', () => {
    const failures = lines.filter((line) => trained.tokenizer.decode(trained.tokenizer.encode(line)) !== line);
    expect(failures).toEqual([]);
  });

  it('writes a tokenizer.json that @huggingface/tokenizers loads with the same ids', async () => {
    await saveTokenizerJson(trained.tokenizerJson, dir);
    const library = await loadTokenizer(dir, { forceLibrary: true });
    const sample = lines.filter((_, index) => index % 7 === 0);
    for (const line of sample) expect(library.encode(line), line).toEqual(trained.tokenizer.encode(line));
    expect(library.eosId).toBe(0);
    const config = JSON.parse(readFileSync(path.join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    expect(config.eos_token).toBe('<|endoftext|>');
  });

  it('logs encode throughput of the cached fast path (cold cache) against the library (not asserted)', () => {
    const library = tokenizerFromJson(trained.tokenizerJson, {}, 'trained', { forceLibrary: true });
    const text = lines.filter((_, index) => index % 3 === 0).join('\n');
    const time = (encode: (text: string) => number[]) => {
      const started = performance.now();
      const count = encode(text).length;
      return count / ((performance.now() - started) / 1000);
    };
    // A fresh instance, so its word cache starts empty (the round-trip test warmed trained.tokenizer's).
    const coldFast = tokenizerFromJson(trained.tokenizerJson, {}, 'trained');
    const fast = time((input) => coldFast.encode(input));
    const slow = time((input) => library.encode(input));
    console.log(`encode throughput: fast path ${(fast / 1e6).toFixed(2)} M tokens/s, @huggingface/tokenizers ${(slow / 1e6).toFixed(2)} M tokens/s (${(fast / slow).toFixed(1)}×)`);
    expect(fast).toBeGreaterThan(0);
  });
});
