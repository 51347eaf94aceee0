import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import { byteToChar } from './byte-level.js';
import { loadTokenizer } from './load-tokenizer.js';

const shared = fileURLToPath(new URL('../../../../../shared/', import.meta.url));
const hasShared = !skipUnlessPresent(shared, 'the InternLM / Llama tokenizer loading tests read ../shared/models (check ../shared out beside the repo)');

/** A tiny Llama-style (SentencePiece BPE with byte fallback) tokenizer.json. */
function llamaStyleJson(): Record<string, unknown> {
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let byte = 0; byte < 256; byte += 1) vocab[`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + byte;
  Object.assign(vocab, { '\u2581': 259, h: 260, i: 261, hi: 262, '\u2581hi': 263 });
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    added_tokens: [special(0, '<unk>'), special(1, '<s>'), special(2, '</s>')],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '\u2581' }, { type: 'Replace', pattern: { String: ' ' }, content: '\u2581' }] },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '\u2581' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', byte_fallback: true, fuse_unk: true, vocab, merges: ['h i', '\u2581 hi'] },
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'chainlm-tok-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

describe('tokenizer.json in the SentencePiece style (through @huggingface/tokenizers)', () => {
  it('encodes with BOS, byte fallback and merges, and decodes byte-exactly', async () => {
    const tokenizer = await loadTokenizer(write('llama-style/tokenizer.json', JSON.stringify(llamaStyleJson())));
    const ids = tokenizer.encode('hi hi 你');
    expect(ids).toEqual([1, 263, 263, 259, 3 + 0xe4, 3 + 0xbd, 3 + 0xa0]);
    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('hi hi 你');
    expect(tokenizer.encode('hi', { addSpecialTokens: false })).toEqual([263]);
    expect(tokenizer.bosId).toBe(1);
    expect(tokenizer.eosId).toBe(2);
    expect(tokenizer.idToToken(263)).toBe('\u2581hi');
  });

  it('finds files by extension or by content', async () => {
    const noExtension = write('sniffed', JSON.stringify(llamaStyleJson()));
    expect((await loadTokenizer(noExtension)).format).toBe('tokenizer.json');
  });
});

describe('loader errors name the file and the fix', () => {
  it('rejects missing paths, empty folders and ambiguous .model files', async () => {
    await expect(loadTokenizer(path.join(dir, 'nope'))).rejects.toThrow(/does not exist/);
    mkdirSync(path.join(dir, 'empty'));
    await expect(loadTokenizer(path.join(dir, 'empty'))).rejects.toThrow(/empty: no tokenizer found/);
    write('two/a.model', 'x');
    write('two/b.model', 'x');
    await expect(loadTokenizer(path.join(dir, 'two'))).rejects.toThrow(/several .model files \(a.model, b.model\)/);
  });

  it('rejects malformed tokenizer.json files', async () => {
    await expect(loadTokenizer(write('bad/tokenizer.json', '{"model": '))).rejects.toThrow(/invalid JSON/);
    await expect(loadTokenizer(write('nomodel.json', '{"added_tokens": []}'))).rejects.toThrow(/nomodel.json: model: /);
    const wordPiece = { ...llamaStyleJson(), decoder: { type: 'WordPiece', prefix: '##' } };
    await expect(loadTokenizer(write('wp.json', JSON.stringify(wordPiece)))).rejects.toThrow(/decoder \["WordPiece"\] is not supported/);
    write('cfg/tokenizer.json', JSON.stringify(llamaStyleJson()));
    write('cfg/tokenizer_config.json', '[1]');
    await expect(loadTokenizer(path.join(dir, 'cfg'))).rejects.toThrow(/tokenizer_config.json: expected a JSON object/);
  });

  it('rejects a byte-level file whose merges use unknown tokens', async () => {
    const vocab: Record<string, number> = Object.fromEntries(byteToChar.map((char, byte) => [char, byte]));
    const json = {
      pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, use_regex: true },
      decoder: { type: 'ByteLevel' },
      model: { type: 'BPE', vocab, merges: ['x y'] },
    };
    await expect(loadTokenizer(write('badmerge.json', JSON.stringify(json)))).rejects.toThrow(/badmerge.json: model.merges\[0\] "x y" uses a token missing from model.vocab/);
  });

  it('rejects damaged SentencePiece and llama2.c files', async () => {
    await expect(loadTokenizer(write('junk.model', Uint8Array.of(0x0a, 0x50, 1, 2)))).rejects.toThrow(/not a SentencePiece model: field length 80 runs past the end/);
    await expect(loadTokenizer(write('short.bin', Uint8Array.of(1, 0)))).rejects.toThrow(/shorter than its 4-byte header/);
    const header = new Uint8Array(16);
    new DataView(header.buffer).setInt32(0, 8, true);
    new DataView(header.buffer).setInt32(8, 99, true);
    await expect(loadTokenizer(write('long.bin', header))).rejects.toThrow(/token 0 at byte 4 has length 99/);
    await expect(loadTokenizer(write('mystery', Uint8Array.of(0xff, 0xfe)))).rejects.toThrow(/unknown tokenizer format/);
  });
});

describe.skipIf(!hasShared)('InternLM V7_sft.model and folder detection', () => {
  it('loads a folder holding only V7_sft.model; Chinese round-trips; <eoh>/<eoa> are single tokens', async () => {
    const folder = path.join(dir, 'internlm');
    mkdirSync(folder);
    copyFileSync(`${shared}models/internlm-tokenizer/V7_sft.model`, path.join(folder, 'V7_sft.model'));
    const tokenizer = await loadTokenizer(folder);
    expect(tokenizer.format).toBe('sentencepiece');
    expect(tokenizer.vocabSize).toBe(103168);
    expect(tokenizer.tokenToId('<eoh>')).toBe(103027);
    const text = '你好，世界<eoh>\n<eoa>Hello';
    const ids = tokenizer.encode(text);
    expect(ids[0]).toBe(1);
    expect(ids).toContain(103027);
    expect(ids).toContain(103028);
    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe(text);
    const poems = JSON.parse(readFileSync(`${shared}datasets/chinese-poetry/quantangshi/tangshi_sanbaishou.json`, 'utf8')) as { paragraphs: string[] }[];
    const lines = poems.flatMap((poem) => poem.paragraphs);
    for (const line of lines) expect(tokenizer.decode(tokenizer.encode(line), { skipSpecialTokens: true })).toBe(line);
  });

  it('prefers tokenizer.json over tokenizer.model in a folder', async () => {
    const folder = path.join(dir, 'both');
    mkdirSync(folder);
    copyFileSync(`${shared}models/llama2-tokenizer/tokenizer.model`, path.join(folder, 'tokenizer.model'));
    writeFileSync(path.join(folder, 'tokenizer.json'), JSON.stringify(llamaStyleJson()));
    expect((await loadTokenizer(folder)).format).toBe('tokenizer.json');
    rmSync(path.join(folder, 'tokenizer.json'));
    expect((await loadTokenizer(folder)).format).toBe('sentencepiece');
  });
});
