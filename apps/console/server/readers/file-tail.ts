/**
 * Follows a growing JSONL file: each `read()` returns the complete lines appended
 * since the last call. A file that shrank (a resumed run rewrites metrics.jsonl
 * up to its checkpoint) restarts from the top with `reset: true`.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

export class JsonlTail {
  private offset = 0;
  private partial = '';

  constructor(readonly file: string) {}

  read(): { lines: unknown[]; reset: boolean } {
    if (!existsSync(this.file)) return { lines: [], reset: false };
    const size = statSync(this.file).size;
    let reset = false;
    if (size < this.offset) {
      this.offset = 0;
      this.partial = '';
      reset = true;
    }
    if (size === this.offset) return { lines: [], reset };
    const buffer = Buffer.alloc(size - this.offset);
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, buffer, 0, buffer.length, this.offset);
    } finally {
      closeSync(fd);
    }
    this.offset = size;
    const text = this.partial + buffer.toString('utf8');
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    const lines = parts.flatMap((line) => {
      if (line.trim().length === 0) return [];
      try {
        return [JSON.parse(line) as unknown];
      } catch {
        return []; // a line cut by a kill mid-write
      }
    });
    return { lines, reset };
  }
}
