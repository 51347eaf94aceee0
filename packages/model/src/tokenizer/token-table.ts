/**
 * The one set of decoding rules shared by decode() and the stream decoder, so the two
 * can never disagree: every id maps to the bytes it stands for (a byte-level token's
 * bytes, a SentencePiece piece with `▁` → space, `<0xAB>` → one byte, a special
 * token's own text). Text is those bytes concatenated and decoded as UTF-8, with one
 * SentencePiece rule on top: the first non-special token loses one leading space (the
 * dummy prefix the encoder added).
 */
import { tokenizerUsageError } from './errors.js';
import type { DecodeOptions, StreamDecoder } from './types.js';

export interface TokenTable {
  /** id → token as the vocabulary spells it (`Ġworld`, `▁Hello`, `<0x0A>`). */
  readonly tokens: readonly string[];
  /** id → the bytes it decodes to. */
  readonly bytes: readonly Uint8Array[];
  /** id → 1 when the token is special (dropped by skipSpecialTokens). */
  readonly special: Uint8Array;
  /** SentencePiece convention: strip one leading space from the first non-special token. */
  readonly stripLeadingSpace: boolean;
}

const utf8 = new TextEncoder();

export function textBytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/** `<0x0A>` → 10; anything else → -1. SentencePiece byte-fallback pieces. */
export function byteFallbackValue(piece: string): number {
  if (piece.length !== 6 || !piece.startsWith('<0x') || piece[5] !== '>') return -1;
  const value = Number.parseInt(piece.slice(3, 5), 16);
  return Number.isNaN(value) ? -1 : value;
}

/** SentencePiece piece → bytes: `<0xAB>` is one byte, `▁` is a space. */
export function sentencePieceBytes(piece: string): Uint8Array {
  const byte = byteFallbackValue(piece);
  if (byte >= 0) return Uint8Array.of(byte);
  return utf8.encode(piece.replaceAll('\u2581', ' '));
}

function checkId(table: TokenTable, id: number): void {
  if (!Number.isInteger(id) || id < 0 || id >= table.tokens.length) {
    throw tokenizerUsageError(
      `token id ${id} is outside the vocabulary (0..${table.tokens.length - 1})`,
      'decode only ids the tokenizer produced; a model whose vocabulary is padded past the tokenizer can emit such ids',
    );
  }
}

/** Bytes that `id` contributes, or null when it is skipped. `first` = no text token seen yet. */
function contribution(table: TokenTable, id: number, skipSpecial: boolean, first: boolean): Uint8Array | null {
  checkId(table, id);
  const isSpecial = table.special[id] === 1;
  if (isSpecial && skipSpecial) return null;
  const bytes = table.bytes[id];
  if (!isSpecial && first && table.stripLeadingSpace && bytes[0] === 0x20) return bytes.subarray(1);
  return bytes;
}

export function decodeWithTable(table: TokenTable, ids: readonly number[], options: DecodeOptions = {}): string {
  const skipSpecial = options.skipSpecialTokens ?? false;
  const parts: Uint8Array[] = [];
  let total = 0;
  let first = true;
  for (const id of ids) {
    const bytes = contribution(table, id, skipSpecial, first);
    if (bytes === null) continue;
    if (table.special[id] !== 1) first = false;
    parts.push(bytes);
    total += bytes.length;
  }
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return new TextDecoder('utf-8').decode(joined);
}

/**
 * Streaming decoder over a token table. TextDecoder in stream mode holds back an
 * incomplete UTF-8 sequence until its continuation bytes arrive, so a character split
 * across byte tokens is emitted once, whole; an impossible sequence becomes U+FFFD
 * exactly as in decode().
 */
export function createTableStreamDecoder(table: TokenTable, options: DecodeOptions = {}): StreamDecoder {
  const skipSpecial = options.skipSpecialTokens ?? false;
  const decoder = new TextDecoder('utf-8');
  let first = true;
  return {
    push(id: number): string {
      const bytes = contribution(table, id, skipSpecial, first);
      if (bytes === null) return '';
      if (table.special[id] !== 1) first = false;
      return decoder.decode(bytes, { stream: true });
    },
    flush(): string {
      return decoder.decode();
    },
  };
}
