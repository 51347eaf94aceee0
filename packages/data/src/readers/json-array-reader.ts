/**
 * JSON files holding one array of objects. The array is split into elements by a
 * byte scanner (tracking strings, escapes and bracket depth) before any element is
 * parsed, so a broken element, a bad byte or a truncated tail costs that element only.
 * A file whose first token is `{` is read as JSONL (a common mislabelling).
 *
 * Design note: the whole file is held in memory (JSON arrays cannot be streamed
 * without a streaming parser); elements are parsed one by one.
 */
import { readFile } from 'node:fs/promises';
import { isUtf8 } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { jsonlReader, parseJsonItem } from './jsonl-reader.js';
import { clipRaw, type SourceItem, type SourceReader } from './source-item.js';

const batchSize = 2048;

export function jsonArrayReader(path: string): SourceReader {
  return {
    unit: 'element',
    async *read(onBytes) {
      const compressed = await readFile(path);
      onBytes(compressed.length);
      const bytes = path.endsWith('.gz') ? gunzipSync(compressed) : compressed;
      const start = skipWhitespace(bytes, 0);
      if (bytes[start] === 0x7b) {
        yield* jsonlReader(path).read(() => undefined);
        return;
      }
      if (bytes[start] !== 0x5b) {
        yield [{ line: 1, reason: 'expected a JSON array (starting with "[")', raw: clipRaw(bytes.subarray(0, 200).toString('utf8')) }];
        return;
      }
      let items: SourceItem[] = [];
      for (const element of scanArrayElements(bytes, start + 1)) {
        items.push(toItem(bytes, element));
        if (items.length >= batchSize) {
          yield items;
          items = [];
        }
      }
      if (items.length > 0) yield items;
    },
  };
}

interface ElementRange {
  index: number;
  begin: number;
  end: number;
  truncated: boolean;
}

function toItem(bytes: Buffer, element: ElementRange): SourceItem {
  const slice = bytes.subarray(element.begin, element.end);
  const line = element.index + 1;
  if (!isUtf8(slice)) return { line, reason: 'invalid UTF-8 bytes', raw: clipRaw(slice.toString('utf8')) };
  const text = slice.toString('utf8');
  if (element.truncated) return { line, reason: 'truncated: the file ends inside this element', raw: clipRaw(text) };
  return parseJsonItem(text, line);
}

function skipWhitespace(bytes: Buffer, position: number): number {
  while (position < bytes.length) {
    const code = bytes[position];
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) break;
    position++;
  }
  return position;
}

/** Yields the byte range of each top-level element after the opening `[`. */
function* scanArrayElements(bytes: Buffer, position: number): Generator<ElementRange> {
  const length = bytes.length;
  for (let index = 0; ; index++) {
    position = skipWhitespace(bytes, position);
    if (position >= length || bytes[position] === 0x5d) return;
    const begin = position;
    let depth = 0;
    let inString = false;
    for (; position < length; position++) {
      const code = bytes[position];
      if (inString) {
        if (code === 0x5c) position++;
        else if (code === 0x22) inString = false;
      } else if (code === 0x22) inString = true;
      else if (code === 0x7b || code === 0x5b) depth++;
      else if (code === 0x7d || code === 0x5d) {
        if (depth === 0) break;
        depth--;
      } else if (code === 0x2c && depth === 0) break;
    }
    let end = position;
    while (end > begin && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d || bytes[end - 1] === 0x09)) end--;
    const truncated = position >= length;
    if (end > begin) yield { index, begin, end, truncated };
    if (truncated || bytes[position] === 0x5d) return;
    position++;
  }
}
