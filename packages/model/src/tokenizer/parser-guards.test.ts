import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMergeTable } from './bpe-encoder.js';
import { loadChatTemplate } from './chat-template.js';
import { tokenizerFromJson } from './hf-tokenizer.js';
import { llama2cTokenizer, parseLlama2cTokenizer } from './llama2c-tokenizer.js';
import { parseSentencePieceModel } from './sentencepiece-model.js';
import { sentencePieceTokenizer } from './sentencepiece-tokenizer.js';
import { readVocabTestVectors } from './vocab-test-vectors.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'chainlm-guards-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A protobuf length-delimited field. */
function field(number: number, payload: number[]): number[] {
  return [(number << 3) | 2, payload.length, ...payload];
}
const unkPiece = field(1, [...field(1, [...Buffer.from('<unk>')]), 0x18, 0x02]);

describe('SentencePiece ModelProto reader guards', () => {
  const parse = (bytes: number[]) => () => parseSentencePieceModel(Uint8Array.from(bytes), 'x.model');

  it('reads a minimal model with its defaults', () => {
    const model = parseSentencePieceModel(Uint8Array.from(unkPiece), 'x.model');
    expect(model.pieces).toEqual([{ piece: '<unk>', score: 0, type: 2 }]);
    expect(model).toMatchObject({ modelType: 1, bosId: 1, eosId: 2, padId: -1, addDummyPrefix: true });
  });

  it('rejects truncated, oversized and foreign protobuf data', () => {
    expect(parse([0x08, 0x80])).toThrow(/x.model: not a SentencePiece model: truncated varint at byte 2/);
    expect(parse([0x08, ...new Array(10).fill(0xff), 0x01])).toThrow(/varint longer than 10 bytes/);
    expect(parse([0x0b])).toThrow(/unsupported protobuf wire type 3/);
    expect(parse(field(1, [0x15, 0x00, 0x00]))).toThrow(/truncated float/);
    expect(parse(field(2, [0x18, 0x02]))).toThrow(/no pieces/);
  });

  it('trainer spec: negative pad_id (10-byte varint) and BPE model type', () => {
    const negativeOne = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    const model = parseSentencePieceModel(Uint8Array.from([...unkPiece, ...field(2, [0x18, 0x02, 0xd8, 0x02, ...negativeOne])]), 'x.model');
    expect(model.modelType).toBe(2);
    expect(model.padId).toBe(-1);
  });

  it('reports what SentencePiece itself rejects', async () => {
    await expect(sentencePieceTokenizer(Uint8Array.from(unkPiece), 'x.model')).rejects.toThrow(/x.model: SentencePiece could not load it: .*no pieces are loaded/);
  });
});

/** llama2.c tokenizer.bin bytes: header, then (score, length, bytes) per token. */
function llama2cFile(tokens: string[], maxLength = 8): Uint8Array {
  const parts: Buffer[] = [Buffer.alloc(4)];
  parts[0].writeInt32LE(maxLength);
  tokens.forEach((token, id) => {
    const head = Buffer.alloc(8);
    head.writeFloatLE(-id, 0);
    head.writeInt32LE(Buffer.byteLength(token), 4);
    parts.push(head, Buffer.from(token));
  });
  return new Uint8Array(Buffer.concat(parts));
}

describe('llama2.c tokenizer.bin guards and merges', () => {
  const bytes = Array.from({ length: 256 }, (_, byte) => `<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`);

  it('rejects a bad header, a truncated token and a too-short vocabulary', () => {
    expect(() => parseLlama2cTokenizer(llama2cFile([], 0), 't.bin')).toThrow(/max_token_length 0 is not in 1..1024/);
    expect(() => parseLlama2cTokenizer(llama2cFile(['<unk>']).subarray(0, 10), 't.bin')).toThrow(/token 0 header truncated at byte 4/);
    expect(() => parseLlama2cTokenizer(llama2cFile(['<unk>', '\n<s>\n']), 't.bin')).toThrow(/only 2 tokens/);
  });

  it('merges the highest-scoring pair first, leftmost on ties, with byte fallback', () => {
    // scores are -id: "ab" (id 261) beats "bc" (id 262); " " is the dummy prefix.
    const tokenizer = llama2cTokenizer(llama2cFile(['<unk>', '\n<s>\n', '\n</s>\n', ...bytes, ' ', 'a', 'b', 'c', 'ab', 'bc'], 8), 't.bin');
    const id = (token: string) => tokenizer.tokenToId(token) as number;
    expect(tokenizer.encode('abc')).toEqual([1, id(' '), id('ab'), id('c')]);
    expect(tokenizer.encode('bcab', { addSpecialTokens: false })).toEqual([id(' '), id('bc'), id('ab')]);
    expect(tokenizer.encode('é', { addSpecialTokens: false })).toEqual([id(' '), 0xc3 + 3, 0xa9 + 3]);
    expect(tokenizer.decode(tokenizer.encode('abcé'), { skipSpecialTokens: true })).toBe('abcé');
  });
});

describe('other guards', () => {
  it('a byte-level vocabulary must hold all 256 bytes', () => {
    expect(() => buildMergeTable(new Map([['a', 0]]), [], 'v.json')).toThrow(/v.json: byte 0 has no single-byte token/);
  });

  it('a tokenizer.json the library rejects is reported with the file name', () => {
    const json = { pre_tokenizer: { type: 'Nope' }, model: { type: 'BPE', vocab: { a: 0 }, merges: [] }, decoder: { type: 'ByteLevel' } };
    expect(() => tokenizerFromJson(json, {}, 'weird.json')).toThrow(/weird.json: @huggingface\/tokenizers rejected it: Unknown PreTokenizer type: Nope/);
    const empty = { model: { type: 'NoSuchModel', vocab: {} }, decoder: { type: 'ByteLevel' } };
    expect(() => tokenizerFromJson(empty, {}, 'empty.json')).toThrow(/empty.json: model.vocab is empty \(model.type NoSuchModel\)/);
  });

  it('vector files with mismatched case counts are rejected', async () => {
    const input = path.join(dir, 'v.inp');
    const output = path.join(dir, 'v.out');
    writeFileSync(input, 'a\n__ggml_vocab_test__\nb\n__ggml_vocab_test__\n');
    writeFileSync(output, ' 1\n');
    await expect(readVocabTestVectors(input, output)).rejects.toThrow(/1 id lines for 2 inputs/);
    writeFileSync(output, ' 1\n 2 3\n');
    expect(await readVocabTestVectors(input, output)).toEqual([{ text: 'a', ids: [1] }, { text: 'b', ids: [2, 3] }]);
  });

  it('a tokenizer_config.json that is not an object cannot supply a chat template', () => {
    writeFileSync(path.join(dir, 'bad.json'), '{');
    expect(() => loadChatTemplate(path.join(dir, 'bad.json'))).toThrow(/bad.json: invalid JSON/);
    writeFileSync(path.join(dir, 'list.json'), '[]');
    expect(() => loadChatTemplate(path.join(dir, 'list.json'))).toThrow(/list.json: expected a JSON object/);
  });
});
