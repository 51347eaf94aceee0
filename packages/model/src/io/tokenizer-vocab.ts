/**
 * Reads the vocabulary (pieces, scores, piece types) of a SentencePiece `.model` or a
 * llama2.c `tokenizer.bin`: all that GGUF's "llama" tokenizer block needs. This is
 * not a tokenizer (encoding lives in src/tokenizer); it only lifts the tables.
 * Piece types use SentencePiece's numbering, which GGUF's token_type shares:
 * 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.
 */
import { readFile } from 'node:fs/promises';
import { parseSentencePieceModel, pieceTypes, type SentencePieceModel } from '../tokenizer/sentencepiece-model.js';
import { parseLlama2cTokenizer, type Llama2cVocab } from '../tokenizer/llama2c-tokenizer.js';

export interface SentencePieceVocab {
  kind: 'sentencepiece' | 'llama2c';
  pieces: string[];
  scores: number[];
  types: number[];
  unkId: number;
  bosId: number;
  eosId: number;
}

/** Detects the format: a SentencePiece ModelProto starts with field 1 (pieces) = byte 0x0a. */
export async function readVocabFile(file: string): Promise<SentencePieceVocab> {
  const bytes = new Uint8Array(await readFile(file));
  if (file.endsWith('.model') || (!file.endsWith('.bin') && bytes[0] === 0x0a)) return sentencePieceVocab(parseSentencePieceModel(bytes, file));
  return llama2cVocab(parseLlama2cTokenizer(bytes, file));
}

/** The tables of a parsed ModelProto (the one reader: tokenizer/sentencepiece-model.ts). */
export function sentencePieceVocab(model: SentencePieceModel): SentencePieceVocab {
  return {
    kind: 'sentencepiece',
    pieces: model.pieces.map((piece) => piece.piece),
    scores: model.pieces.map((piece) => piece.score),
    types: model.pieces.map((piece) => piece.type),
    unkId: model.unkId,
    bosId: model.bosId,
    eosId: model.eosId,
  };
}

/**
 * llama2.c tokenizer.bin, as the tokenizer's reader parses it (tokenizer/llama2c-tokenizer.ts),
 * mapped back to SentencePiece pieces: its exporter wrote "▁" as " " and BOS/EOS as
 * "\n<s>\n" / "\n</s>\n".
 */
export function llama2cVocab(vocab: Llama2cVocab): SentencePieceVocab {
  const pieces = vocab.tokens.map((token) => {
    // Tokens are latin1 strings of the file's bytes; pieces are the UTF-8 text.
    const text = Buffer.from(token, 'latin1').toString('utf8');
    return text === '\n<s>\n' ? '<s>' : text === '\n</s>\n' ? '</s>' : text.replaceAll(' ', '\u2581');
  });
  return { kind: 'llama2c', pieces, scores: Array.from(vocab.scores), types: pieces.map(llama2cPieceType), unkId: 0, bosId: 1, eosId: 2 };
}

function llama2cPieceType(piece: string, id: number): number {
  if (id === 0 && piece === '<unk>') return pieceTypes.unknown;
  if (piece === '<s>' || piece === '</s>') return pieceTypes.control;
  if (/^<0x[0-9A-F]{2}>$/.test(piece)) return pieceTypes.byte;
  return pieceTypes.normal;
}
