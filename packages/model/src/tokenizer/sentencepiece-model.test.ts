import { describe, expect, it } from 'vitest';
import { parseSentencePieceModel } from './sentencepiece-model.js';

// The other reader guards (varints, wire types, floats, no pieces) are in parser-guards.test.ts.
describe('parseSentencePieceModel', () => {
  it('names the file when a length-delimited field runs past the end', () => {
    expect(() => parseSentencePieceModel(Uint8Array.from([0x0a, 0x05, 0x0a]), 'y.model')).toThrow(/y\.model: not a SentencePiece model: field length 5 runs past the end/);
  });
});
