/**
 * Reads the vocabulary (pieces, scores, piece types) of a SentencePiece `.model` or a
 * llama2.c `tokenizer.bin`: all that GGUF's "llama" tokenizer block needs. This is
 * not a tokenizer (encoding lives in src/tokenizer); it only lifts the tables.
 * Piece types use SentencePiece's numbering, which GGUF's token_type shares:
 * 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.
 */
import { readFile } from 'node:fs/promises';
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

export const pieceType = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

/** Detects the format: a SentencePiece ModelProto starts with field 1 (pieces) = byte 0x0a. */
export async function readVocabFile(file: string): Promise<SentencePieceVocab> {
  const bytes = new Uint8Array(await readFile(file));
  if (file.endsWith('.model') || (!file.endsWith('.bin') && bytes[0] === 0x0a)) return parseSentencePieceModel(file, bytes);
  return parseLlama2cTokenizer(file, bytes);
}

class ProtoReader {
  position = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly end: number,
    readonly file: string,
  ) {}
  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.position >= this.end) throw weightFileError(this.file, 'SentencePiece model ends inside a number', 'the .model file is damaged: re-download it');
      const byte = this.bytes[this.position++];
      result += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return result;
      scale *= 128;
    }
  }
  /** Skips a field of `wireType` and returns [start, end) of a length-delimited payload. */
  skip(wireType: number): [number, number] {
    const start = this.position;
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.position += 8;
    else if (wireType === 5) this.position += 4;
    else if (wireType === 2) {
      const length = this.varint();
      this.position += length;
      if (this.position > this.end) throw weightFileError(this.file, 'SentencePiece model field runs past the end', 'the .model file is damaged: re-download it');
      return [this.position - length, this.position];
    } else throw weightFileError(this.file, `unexpected protobuf wire type ${wireType} at byte ${start}`, 'this is not a SentencePiece .model file');
    return [start, this.position];
  }
}

export function parseSentencePieceModel(file: string, bytes: Uint8Array): SentencePieceVocab {
  const vocab: SentencePieceVocab = { kind: 'sentencepiece', pieces: [], scores: [], types: [], unkId: 0, bosId: 1, eosId: 2 };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const model = new ProtoReader(bytes, bytes.length, file);
  const text = new TextDecoder('utf-8', { fatal: false });
  while (model.position < bytes.length) {
    const key = model.varint();
    const [start, end] = model.skip(key & 7);
    if (key === ((1 << 3) | 2)) {
      // SentencePiece { 1: piece, 2: score (float), 3: type (enum, default NORMAL) }
      const piece = new ProtoReader(bytes, end, file);
      piece.position = start;
      let pieceText = '';
      let score = 0;
      let type: number = pieceType.normal;
      while (piece.position < end) {
        const field = piece.varint();
        const [fieldStart, fieldEnd] = piece.skip(field & 7);
        if (field === ((1 << 3) | 2)) pieceText = text.decode(bytes.subarray(fieldStart, fieldEnd));
        else if (field === ((2 << 3) | 5)) score = view.getFloat32(fieldStart, true);
        else if (field === ((3 << 3) | 0)) type = readVarintAt(bytes, fieldStart);
      }
      vocab.pieces.push(pieceText);
      vocab.scores.push(score);
      vocab.types.push(type);
    } else if (key === ((2 << 3) | 2)) {
      readSpecialIds(bytes, start, end, file, vocab);
    }
  }
  if (vocab.pieces.length === 0) throw weightFileError(file, 'no pieces found: not a SentencePiece model', 'pass a SentencePiece .model or a llama2.c tokenizer.bin');
  return vocab;
}

function readVarintAt(bytes: Uint8Array, position: number): number {
  const reader = new ProtoReader(bytes, bytes.length, '');
  reader.position = position;
  return reader.varint();
}

/** TrainerSpec fields 40–42: unk_id, bos_id, eos_id (defaults 0, 1, 2). */
function readSpecialIds(bytes: Uint8Array, start: number, end: number, file: string, vocab: SentencePieceVocab): void {
  const spec = new ProtoReader(bytes, end, file);
  spec.position = start;
  while (spec.position < end) {
    const key = spec.varint();
    const [fieldStart] = spec.skip(key & 7);
    const field = key >>> 3;
    if ((key & 7) !== 0) continue;
    // int32 fields: a negative id (-1 = disabled) arrives as a 10-byte two's-complement varint.
    const value = readVarintAt(bytes, fieldStart);
    const id = value >= 2 ** 63 ? -1 : value;
    if (field === 40) vocab.unkId = id;
    else if (field === 41) vocab.bosId = id;
    else if (field === 42) vocab.eosId = id;
  }
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
  if (id === 0 && piece === '<unk>') return pieceType.unknown;
  if (piece === '<s>' || piece === '</s>') return pieceType.control;
  if (/^<0x[0-9A-F]{2}>$/.test(piece)) return pieceType.byte;
  return pieceType.normal;
}
