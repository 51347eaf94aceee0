import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonlTail } from './file-tail.js';

describe('JsonlTail', () => {
  it('returns only complete new lines, and restarts when the file shrinks', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tail-')), 'metrics.jsonl');
    const tail = new JsonlTail(file);
    expect(tail.read()).toEqual({ lines: [], reset: false });
    writeFileSync(file, '{"step":1}\n{"step":2}\n{"st');
    expect(tail.read()).toEqual({ lines: [{ step: 1 }, { step: 2 }], reset: false });
    appendFileSync(file, 'ep":3}\nnot json\n');
    expect(tail.read()).toEqual({ lines: [{ step: 3 }], reset: false });
    expect(tail.read()).toEqual({ lines: [], reset: false });
    writeFileSync(file, '{"step":1}\n');
    expect(tail.read()).toEqual({ lines: [{ step: 1 }], reset: true });
  });
});
