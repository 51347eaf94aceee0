/**
 * Plain text. What one record is, by `split`:
 *  - `paragraph` (default): a block of lines between blank lines (tinyshakespeare: one
 *    speech); the record text is the block's lines joined by "\n"; `line` is its first line;
 *  - `line`: each non-blank line;
 *  - `file`: the whole file (folders of .txt/.md documents).
 * Blank lines are separators and count as nothing, so `read` counts records.
 * A block containing invalid UTF-8 is quarantined whole.
 */
import { readLineBatches } from './byte-lines.js';
import { isBlank } from './jsonl-reader.js';
import { clipRaw, type SourceItem, type SourceReader } from './source-item.js';

export const textSplits = ['paragraph', 'line', 'file'] as const;
export type TextSplit = (typeof textSplits)[number];

export function textReader(path: string, split: TextSplit): SourceReader {
  return {
    unit: split === 'paragraph' ? 'block' : split,
    async *read(onBytes) {
      let block: string[] = [];
      let blockLine = 0;
      let blockInvalid = -1;
      const flush = (items: SourceItem[]) => {
        if (block.length === 0) return;
        const text = block.join('\n');
        if (blockInvalid >= 0) items.push({ line: blockLine, reason: `invalid UTF-8 bytes at line ${blockInvalid}`, raw: clipRaw(text) });
        else items.push({ line: blockLine, value: { text } });
        block = [];
        blockInvalid = -1;
      };
      for await (const batch of readLineBatches(path, onBytes)) {
        const items: SourceItem[] = [];
        let invalidIndex = 0;
        for (let index = 0; index < batch.lines.length; index++) {
          const text = batch.lines[index];
          const line = batch.firstLine + index;
          const invalid = batch.invalid[invalidIndex] === index;
          if (invalid) invalidIndex++;
          if (split !== 'file' && isBlank(text) && !invalid) {
            flush(items);
            continue;
          }
          if (block.length === 0) blockLine = line;
          if (invalid && blockInvalid < 0) blockInvalid = line;
          block.push(text);
          if (split === 'line') flush(items);
        }
        if (items.length > 0) yield items;
      }
      if (split === 'file') {
        // Trailing blank lines are dropped, like the final newline.
        while (block.length > 0 && block[block.length - 1] === '') block.pop();
      }
      const last: SourceItem[] = [];
      flush(last);
      if (last.length > 0) yield last;
    },
  };
}
