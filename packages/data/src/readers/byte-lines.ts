/**
 * Streams a file (gunzipped when it ends in .gz) as batches of lines, validating
 * UTF-8 per line so one bad byte costs one line, not the file.
 *
 * Fast path: a whole chunk of complete lines is checked with `isUtf8` (simdutf) and
 * decoded at once; only a chunk that fails is split and checked line by line.
 */
import { createReadStream } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

export interface LineBatch {
  /** 1-based number of lines[0]. */
  firstLine: number;
  /** Line texts without the newline (and without a trailing \r). */
  lines: string[];
  /** Indexes into `lines` whose bytes are not valid UTF-8 (decoded with U+FFFD). */
  invalid: number[];
}

export function openByteStream(path: string, onBytes: (bytes: number) => void): Readable {
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  file.on('data', (chunk) => onBytes(chunk.length));
  return path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
}

export async function* readLineBatches(path: string, onBytes: (bytes: number) => void): AsyncGenerator<LineBatch> {
  let pending: Buffer = Buffer.alloc(0);
  let nextLine = 1;
  for await (const chunk of openByteStream(path, onBytes)) {
    const data = pending.length > 0 ? Buffer.concat([pending, chunk as Buffer]) : (chunk as Buffer);
    const lastNewline = data.lastIndexOf(10);
    if (lastNewline < 0) {
      pending = data;
      continue;
    }
    const batch = splitLines(data.subarray(0, lastNewline), nextLine);
    nextLine += batch.lines.length;
    pending = Buffer.from(data.subarray(lastNewline + 1));
    yield batch;
  }
  if (pending.length > 0) yield splitLines(pending, nextLine);
}

function splitLines(block: Buffer, firstLine: number): LineBatch {
  if (isUtf8(block)) {
    const lines = block.toString('utf8').split('\n');
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index];
      if (line.length > 0 && line.charCodeAt(line.length - 1) === 13) lines[index] = line.slice(0, -1);
    }
    return { firstLine, lines, invalid: [] };
  }
  const lines: string[] = [];
  const invalid: number[] = [];
  let start = 0;
  while (start <= block.length) {
    let end = block.indexOf(10, start);
    if (end < 0) end = block.length;
    let stop = end;
    if (stop > start && block[stop - 1] === 13) stop--;
    const bytes = block.subarray(start, stop);
    if (!isUtf8(bytes)) invalid.push(lines.length);
    lines.push(bytes.toString('utf8'));
    start = end + 1;
  }
  return { firstLine, lines, invalid };
}
