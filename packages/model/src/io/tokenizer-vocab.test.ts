import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import { parseLlama2cTokenizer } from '../tokenizer/llama2c-tokenizer.js';
import { parseSentencePieceModel } from '../tokenizer/sentencepiece-model.js';
import { llama2cVocab, readVocabFile, sentencePieceVocab } from './tokenizer-vocab.js';
import { parseByteSize } from './byte-size.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const llama2 = resolve(repoRoot, '../shared/models/llama2-tokenizer');

/** A llama2.c tokenizer.bin as tokenizer.py writes it ("▁" → " ", BOS/EOS wrapped in newlines). */
function llama2cBytes(tokens: [string, number][]): Uint8Array {
  const parts: Buffer[] = [Buffer.from(new Int32Array([8]).buffer)];
  for (const [text, score] of tokens) {
    const bytes = Buffer.from(text);
    const head = Buffer.alloc(8);
    head.writeFloatLE(score, 0);
    head.writeInt32LE(bytes.length, 4);
    parts.push(head, bytes);
  }
  return Buffer.concat(parts);
}

describe('tokenizer vocabularies', () => {
  it('maps llama2.c pieces back to SentencePiece pieces and types', () => {
    // <unk>, <s>, </s>, the 256 byte tokens, then merges (the tokenizer's reader wants all 259).
    const bytePieces = Array.from({ length: 256 }, (_, byte): [string, number] => [`<0x${byte.toString(16).toUpperCase().padStart(2, '0')}>`, 0]);
    const vocab = llama2cVocab(parseLlama2cTokenizer(llama2cBytes([['<unk>', 0], ['\n<s>\n', 0], ['\n</s>\n', 0], ...bytePieces, [' the', -1.5], ['ing', -2]]), 't.bin'));
    expect(vocab.pieces.slice(0, 4)).toEqual(['<unk>', '<s>', '</s>', '<0x00>']);
    expect(vocab.pieces.slice(-2)).toEqual(['▁the', 'ing']);
    expect([...vocab.types.slice(0, 4), ...vocab.types.slice(-2)]).toEqual([2, 3, 3, 6, 1, 1]);
    expect(vocab.scores.slice(-2)).toEqual([-1.5, -2]);
    // Damaged files: the reader's guards (token, byte, max_token_length) are in tokenizer/parser-guards.test.ts.
    expect(() => parseLlama2cTokenizer(new Uint8Array(2), 'tiny.bin')).toThrow(/tiny\.bin: not a llama2\.c tokenizer\.bin: shorter than its 4-byte header/);
  });

  it('lifts the tables of a SentencePiece model read by the tokenizer parser', () => {
    // pieces <unk> (type 2) and ▁a (score −1.5); trainer spec unk_id 0, bos_id −1 (10-byte varint), eos_id 1.
    const piece = (text: string, rest: number[]) => {
      const utf8 = [...Buffer.from(text)];
      return [0x0a, utf8.length + 2 + rest.length, 0x0a, utf8.length, ...utf8, ...rest];
    };
    const score = [...Buffer.from(new Float32Array([-1.5]).buffer)];
    const negativeOne = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    const trainer = [0xc0, 0x02, 0x00, 0xc8, 0x02, ...negativeOne, 0xd0, 0x02, 0x01];
    const bytes = Uint8Array.from([...piece('<unk>', [0x18, 0x02]), ...piece('▁a', [0x15, ...score]), 0x12, trainer.length, ...trainer]);
    expect(sentencePieceVocab(parseSentencePieceModel(bytes, 'x.model'))).toEqual({ kind: 'sentencepiece', pieces: ['<unk>', '▁a'], scores: [0, -1.5], types: [2, 1], unkId: 0, bosId: -1, eosId: 1 });
  });

  it.skipIf(skipUnlessPresent(llama2, 'the Llama 2 tokenizer test reads ../shared/models/llama2-tokenizer (check ../shared out beside the repo)'))('reads Llama 2 tokenizer.model and tokenizer.bin (../shared) to the same 32,000 pieces', async () => {
    const model = await readVocabFile(join(llama2, 'tokenizer.model'));
    const bin = await readVocabFile(join(llama2, 'tokenizer.bin'));
    expect(model).toMatchObject({ kind: 'sentencepiece', unkId: 0, bosId: 1, eosId: 2 });
    expect(model.pieces).toHaveLength(32000);
    expect(bin.pieces).toEqual(model.pieces);
    expect(bin.scores).toEqual(model.scores);
    expect(bin.types).toEqual(model.types);
    expect(model.pieces[15043]).toBe('▁Hello');
  });

  it('parses shard sizes in decimal and binary units', () => {
    expect(parseByteSize('2GB')).toBe(2e9);
    expect(parseByteSize('500MiB')).toBe(500 * 2 ** 20);
    expect(parseByteSize('1.5kb')).toBe(1500);
    expect(parseByteSize('4096')).toBe(4096);
    expect(() => parseByteSize('2 parsecs')).toThrow(/cannot read "2 parsecs" as a size/);
  });
});
