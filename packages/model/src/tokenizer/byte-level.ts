/**
 * GPT-2 byte-level conventions: every byte 0..255 is spelled as one printable
 * Unicode character (space → `Ġ`, newline → `Ċ`) so a byte-level BPE vocabulary is a
 * set of ordinary strings, and the GPT-2 pre-tokenizer regex splits text into words
 * that merges never cross.
 */

/** Same pattern as GPT-2's encoder.py and HF's ByteLevel pre-tokenizer (use_regex: true). */
export const gpt2SplitPattern = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

const numericChar = /\p{N}/u;

/**
 * The words the byte-level pre-tokenizer yields, optionally after HF's
 * `Digits { individual_digits: true }`: every numeric character stands alone (as in
 * LLaMA's and Qwen's tokenizers), so numbers are spelled digit by digit and a model can
 * learn arithmetic per digit instead of a table of number tokens.
 */
export function* preTokenizeWords(text: string, splitDigits: boolean, pattern = new RegExp(gpt2SplitPattern.source, gpt2SplitPattern.flags)): Generator<string> {
  if (!splitDigits) {
    yield* regexWords(text, pattern);
    return;
  }
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    if (!numericChar.test(text[index])) continue;
    if (index > start) yield* regexWords(text.slice(start, index), pattern);
    yield text[index];
    start = index + 1;
  }
  if (start < text.length) yield* regexWords(text.slice(start), pattern);
}

function* regexWords(text: string, pattern: RegExp): Generator<string> {
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) yield match[0];
}

function buildByteToChar(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b += 1) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b += 1) printable.push(b);
  for (let b = 0xae; b <= 0xff; b += 1) printable.push(b);
  const table = new Array<string>(256);
  for (const b of printable) table[b] = String.fromCharCode(b);
  let next = 256;
  for (let b = 0; b < 256; b += 1) {
    if (table[b] === undefined) {
      table[b] = String.fromCharCode(next);
      next += 1;
    }
  }
  return table;
}

/** byte → its byte-level character. */
export const byteToChar: readonly string[] = buildByteToChar();

/** byte-level character → byte. */
export const charToByte: ReadonlyMap<string, number> = new Map(byteToChar.map((char, byte) => [char, byte]));

/** Byte-level token (`Ġworld`) → the bytes it stands for, or null when a character is not a byte-level one. */
export function byteLevelTokenBytes(token: string): Uint8Array | null {
  const bytes = new Uint8Array(token.length);
  for (let i = 0; i < token.length; i += 1) {
    const byte = charToByte.get(token[i]);
    if (byte === undefined) return null;
    bytes[i] = byte;
  }
  return bytes;
}

export function bytesToByteLevel(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byteToChar[byte];
  return out;
}
