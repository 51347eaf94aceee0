import { describe, expect, it } from 'vitest';
import { parseSentencePieceModel } from './sentencepiece-model.js';

// The other reader guards (varints, wire types, floats, no pieces) are in parser-guards.test.ts.
describe('parseSentencePieceModel', () => {
  it('names the file when a length-delimited field runs past the end', () => {
    expect(() => parseSentencePieceModel(Uint8Array.from([0x0a, 0x05, 0x0a]), 'y.model')).toThrow(/y\.model: not a SentencePiece model: field length 5 runs past the end/);
  });

  it('keeps a piece that is U+FEFF (Llama 2 id 30140): TextDecoder would strip it as a BOM', () => {
    const bom = [0xef, 0xbb, 0xbf];
    const model = parseSentencePieceModel(Uint8Array.from([0x0a, 2 + bom.length, 0x0a, bom.length, ...bom]), 'x.model');
    expect(model.pieces[0].piece).toBe('\uFEFF');
  });
});
