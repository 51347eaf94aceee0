/**
 * Reads the vocabulary (pieces, scores, piece types) of a SentencePiece `.model` or a
 * llama2.c `tokenizer.bin`: all that GGUF's "llama" tokenizer block needs. This is
 * not a tokenizer (encoding lives in src/tokenizer); it only lifts the tables.
 * Piece types use SentencePiece's numbering, which GGUF's token_type shares:
 * 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.
 */
import { readFile } from 'node:fs/promises';
import { parseSentencePieceModel, pieceTypes, type SentencePieceModel } from '../tokenizer/sentencepiece-model.js';
import { weightFileError } from './errors.js';

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
  return parseLlama2cTokenizer(file, bytes);
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
 * llama2.c tokenizer.bin: int32 max_token_length, then per token float32 score,
 * int32 byte length, UTF-8 bytes. Its exporter wrote "▁" as " " and BOS/EOS as
 * "\n<s>\n" / "\n</s>\n"; both are mapped back to SentencePiece pieces here.
 */
export function parseLlama2cTokenizer(file: string, bytes: Uint8Array): SentencePieceVocab {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vocab: SentencePieceVocab = { kind: 'llama2c', pieces: [], scores: [], types: [], unkId: 0, bosId: 1, eosId: 2 };
  const text = new TextDecoder();
  if (bytes.length < 4) throw weightFileError(file, 'too short for a llama2.c tokenizer.bin', 'pass a tokenizer.bin from llama2.c tokenizer.py');
  let position = 4;
  while (position < bytes.length) {
    if (position + 8 > bytes.length) throw weightFileError(file, `token ${vocab.pieces.length} header runs past the end (byte ${position})`, 'the tokenizer.bin is truncated');
    const score = view.getFloat32(position, true);
    const length = view.getInt32(position + 4, true);
    if (length < 0 || position + 8 + length > bytes.length) throw weightFileError(file, `token ${vocab.pieces.length} has a bad length ${length}`, 'the tokenizer.bin is damaged or not a llama2.c tokenizer');
    let piece = text.decode(bytes.subarray(position + 8, position + 8 + length));
    position += 8 + length;
    if (piece === '\n<s>\n') piece = '<s>';
    else if (piece === '\n</s>\n') piece = '</s>';
    else piece = piece.replaceAll(' ', '\u2581');
    vocab.pieces.push(piece);
    vocab.scores.push(score);
    vocab.types.push(llama2cPieceType(piece, vocab.pieces.length - 1));
  }
  return vocab;
}

function llama2cPieceType(piece: string, id: number): number {
  if (id === 0 && piece === '<unk>') return pieceTypes.unknown;
  if (piece === '<s>' || piece === '</s>') return pieceTypes.control;
  if (/^<0x[0-9A-F]{2}>$/.test(piece)) return pieceTypes.byte;
  return pieceTypes.normal;
}
