/**
 * Minimal reader of SentencePiece's ModelProto (protobuf, sentencepiece_model.proto):
 * just the pieces (text, score, type), the trainer's model type and special ids, and
 * the normalizer flags. The encoder itself is the maintained @sctg/sentencepiece-js
 * (SentencePiece compiled to wasm); we read the proto for the vocabulary it does not
 * expose (piece types for special tokens, byte pieces for byte-exact decoding).
 */
import { tokenizerFileError } from './errors.js';

export const pieceTypes = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

export interface SentencePiece {
  piece: string;
  score: number;
  /** sentencepiece_model.proto Type: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte. */
  type: number;
}

export interface SentencePieceModel {
  pieces: SentencePiece[];
  /** 1 unigram, 2 BPE, 3 word, 4 char. */
  modelType: number;
  byteFallback: boolean;
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
}

/** Protobuf wire reader over one message's bytes. */
class Reader {
  position = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
  ) {}

  done(): boolean {
    return this.position >= this.bytes.length;
  }

  /** Varint as a JS number; 64-bit negatives (int32 -1 is encoded in 10 bytes) come back as -1 etc. */
  varint(): number {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.position >= this.bytes.length) this.fail('truncated varint');
      const byte = this.bytes[this.position];
      this.position += 1;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) this.fail('varint longer than 10 bytes');
    }
    return Number(BigInt.asIntN(64, result));
  }

  float(): number {
    if (this.position + 4 > this.bytes.length) this.fail('truncated float');
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.position, 4);
    this.position += 4;
    return view.getFloat32(0, true);
  }

  lengthDelimited(): Uint8Array {
    const length = this.varint();
    const end = this.position + length;
    if (length < 0 || end > this.bytes.length) this.fail(`field length ${length} runs past the end`);
    const slice = this.bytes.subarray(this.position, end);
    this.position = end;
    return slice;
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.position += 8;
    else if (wireType === 2) this.lengthDelimited();
    else if (wireType === 5) this.position += 4;
    else this.fail(`unsupported protobuf wire type ${wireType}`);
  }

  fail(message: string): never {
    throw tokenizerFileError(this.file, `not a SentencePiece model: ${message} at byte ${this.position}`, 'pass a tokenizer.model written by SentencePiece');
  }
}

// ignoreBOM: a piece may be U+FEFF itself (Llama 2 has one); the default decoder drops it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function readPiece(bytes: Uint8Array, file: string): SentencePiece {
  const reader = new Reader(bytes, file);
  const piece: SentencePiece = { piece: '', score: 0, type: pieceTypes.normal };
  while (!reader.done()) {
    const tag = reader.varint();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) piece.piece = utf8.decode(reader.lengthDelimited());
    else if (field === 2 && (tag & 7) === 5) piece.score = reader.float();
    else if (field === 3 && (tag & 7) === 0) piece.type = reader.varint();
    else reader.skip(tag & 7);
  }
  return piece;
}

/** TrainerSpec fields: 3 model_type, 35 byte_fallback, 40-43 unk/bos/eos/pad ids. */
function readTrainerSpec(bytes: Uint8Array, file: string, model: SentencePieceModel): void {
  const reader = new Reader(bytes, file);
  const ints: Record<number, (value: number) => void> = {
    3: (value) => (model.modelType = value),
    35: (value) => (model.byteFallback = value !== 0),
    40: (value) => (model.unkId = value),
    41: (value) => (model.bosId = value),
    42: (value) => (model.eosId = value),
    43: (value) => (model.padId = value),
  };
  while (!reader.done()) {
    const tag = reader.varint();
    const setter = ints[tag >>> 3];
    if (setter !== undefined && (tag & 7) === 0) setter(reader.varint());
    else reader.skip(tag & 7);
  }
}

/** NormalizerSpec fields: 3 add_dummy_prefix, 4 remove_extra_whitespaces. */
function readNormalizerSpec(bytes: Uint8Array, file: string, model: SentencePieceModel): void {
  const reader = new Reader(bytes, file);
  while (!reader.done()) {
    const tag = reader.varint();
    const field = tag >>> 3;
    if (field === 3 && (tag & 7) === 0) model.addDummyPrefix = reader.varint() !== 0;
    else if (field === 4 && (tag & 7) === 0) model.removeExtraWhitespaces = reader.varint() !== 0;
    else reader.skip(tag & 7);
  }
}

export function parseSentencePieceModel(bytes: Uint8Array, file: string): SentencePieceModel {
  const model: SentencePieceModel = {
    pieces: [],
    modelType: 1,
    byteFallback: false,
    unkId: 0,
    bosId: 1,
    eosId: 2,
    padId: -1,
    addDummyPrefix: true,
    removeExtraWhitespaces: true,
  };
  const reader = new Reader(bytes, file);
  while (!reader.done()) {
    const tag = reader.varint();
    const field = tag >>> 3;
    if ((tag & 7) !== 2) reader.skip(tag & 7);
    else if (field === 1) model.pieces.push(readPiece(reader.lengthDelimited(), file));
    else if (field === 2) readTrainerSpec(reader.lengthDelimited(), file, model);
    else if (field === 3) readNormalizerSpec(reader.lengthDelimited(), file, model);
    else reader.lengthDelimited();
  }
  if (model.pieces.length === 0) reader.fail('no pieces');
  return model;
}
