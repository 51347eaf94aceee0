/** JSONL: one JSON object per line; blank lines are separators, not records. */
import { readLineBatches } from './byte-lines.js';
import { clipRaw, type SourceItem, type SourceReader } from './source-item.js';

export function jsonlReader(path: string): SourceReader {
  return {
    unit: 'line',
    async *read(onBytes) {
      for await (const batch of readLineBatches(path, onBytes)) {
        const items: SourceItem[] = [];
        let invalidIndex = 0;
        for (let index = 0; index < batch.lines.length; index++) {
          const text = batch.lines[index];
          const line = batch.firstLine + index;
          if (batch.invalid[invalidIndex] === index) {
            invalidIndex++;
            items.push({ line, reason: 'invalid UTF-8 bytes', raw: clipRaw(text) });
            continue;
          }
          if (isBlank(text)) continue;
          items.push(parseJsonItem(text, line));
        }
        yield items;
      }
    },
  };
}

export function parseJsonItem(text: string, line: number): SourceItem {
  try {
    return { line, value: JSON.parse(text) };
  } catch (error) {
    return { line, reason: `malformed JSON: ${(error as Error).message}`, raw: clipRaw(text) };
  }
}

export function isBlank(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code !== 32 && code !== 9 && code !== 13) return false;
  }
  return true;
}
