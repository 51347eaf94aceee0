/**
 * SentencePiece `.model` files (Llama-2 `tokenizer.model`, InternLM `V7_sft.model`):
 * encoding by @sctg/sentencepiece-js (SentencePiece itself, compiled to wasm, so BPE
 * and unigram models, normalization and byte fallback behave exactly as upstream);
 * vocabulary, special tokens and byte-exact decoding from our ModelProto reader.
 *
 * Conventions (HF LlamaTokenizer / llama.cpp): addSpecialTokens prepends BOS; control
 * tokens written in the text (`<s>`, `</s>`) are parsed as those tokens; decoding
 * drops the dummy-prefix space of the first piece when the model adds one.
 */
import { SentencePieceProcessor } from '@sctg/sentencepiece-js';
import { tokenizerFileError } from './errors.js';
import { parseSentencePieceModel, pieceTypes, type SentencePieceModel } from './sentencepiece-model.js';
import { SpecialTokenSplitter } from './special-split.js';
import { TableTokenizer } from './table-tokenizer.js';
import { sentencePieceBytes, textBytes, type TokenTable } from './token-table.js';

function validId(model: SentencePieceModel, id: number): number | null {
  return id >= 0 && id < model.pieces.length ? id : null;
}

function buildTable(model: SentencePieceModel): TokenTable {
  const size = model.pieces.length;
  const special = new Uint8Array(size);
  const bytes = model.pieces.map((piece, id) => {
    const isSpecial = piece.type === pieceTypes.control || piece.type === pieceTypes.unknown;
    if (isSpecial) special[id] = 1;
    if (isSpecial || piece.type === pieceTypes.userDefined) return textBytes(piece.piece);
    return sentencePieceBytes(piece.piece);
  });
  return { tokens: model.pieces.map((piece) => piece.piece), bytes, special, stripLeadingSpace: model.addDummyPrefix };
}

async function createProcessor(bytes: Uint8Array, file: string): Promise<SentencePieceProcessor> {
  const processor = new SentencePieceProcessor();
  const fail = (why: string) => tokenizerFileError(file, `SentencePiece could not load it: ${why}`, 'pass a tokenizer.model written by SentencePiece');
  try {
    await processor.loadFromB64StringModel(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('base64'));
  } catch (error) {
    throw fail(String(error));
  }
  // The wrapper ignores Load()'s status; a bad model would then encode everything to [].
  const status = (processor.processor as { status(): { ToString(): string; delete?(): void } }).status();
  const message = status.ToString();
  status.delete?.();
  if (message !== 'OK') throw fail(message);
  return processor;
}

export async function sentencePieceTokenizer(bytes: Uint8Array, file: string): Promise<TableTokenizer> {
  const model = parseSentencePieceModel(bytes, file);
  const processor = await createProcessor(bytes, file);
  const table = buildTable(model);
  const roles = {
    bosId: validId(model, model.bosId),
    eosId: validId(model, model.eosId),
    padId: validId(model, model.padId),
    unkId: validId(model, model.unkId),
  };
  const controls = new Map<string, number>();
  model.pieces.forEach((piece, id) => {
    if (piece.type === pieceTypes.control) controls.set(piece.piece, id);
  });
  const splitter = new SpecialTokenSplitter(controls);
  const encode = (text: string, addSpecialTokens: boolean): number[] => {
    const ids: number[] = addSpecialTokens && roles.bosId !== null ? [roles.bosId] : [];
    for (const segment of splitter.split(text)) {
      if (segment.id >= 0) ids.push(segment.id);
      else for (const id of processor.encodeIds(segment.text)) ids.push(id);
    }
    return ids;
  };
  return new TableTokenizer({ format: 'sentencepiece', table, roles, encode });
}
