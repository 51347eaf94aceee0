import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { promptTemplate, readDocumentsFile, recordToDocument } from './documents.js';

const dir = mkdtempSync(join(tmpdir(), 'chainlm-train-docs-'));

function write(name: string, text: string): string {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('documents', () => {
  it('reads plain text as one document and records by kind', () => {
    expect(readDocumentsFile(write('a.txt', 'To be, or not to be'))).toEqual([{ prompt: '', response: 'To be, or not to be' }]);
    const records = readDocumentsFile(write('b.jsonl', [
      JSON.stringify({ text: 'plain' }),
      '',
      JSON.stringify({ instruction: 'Add', input: '2 and 3', output: '5' }),
      JSON.stringify({ question: 'Capital of France?', answer: 'Paris' }),
      JSON.stringify({ messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hello' }] }),
    ].join('\n')));
    expect(records).toEqual([
      { prompt: '', response: 'plain' },
      { prompt: promptTemplate('Add', '2 and 3'), response: '5' },
      { prompt: promptTemplate('Capital of France?'), response: 'Paris' },
      { prompt: 'user: hi\nassistant: ', response: 'hello' },
    ]);
    expect(readDocumentsFile(write('c.json', JSON.stringify([{ text: 'x' }])))).toEqual([{ prompt: '', response: 'x' }]);
  });

  it('names the file and line of bad input', () => {
    expect(() => readDocumentsFile(join(dir, 'missing.txt'))).toThrow(/cannot read data file .*missing\.txt/);
    expect(() => readDocumentsFile(write('bad.jsonl', '{"text": "ok"}\n{oops'))).toThrow(/bad\.jsonl:2: not valid JSON/);
    expect(() => readDocumentsFile(write('kind.jsonl', '{"title": "no text"}'))).toThrow(/kind\.jsonl: record 1 has no text/);
    expect(() => readDocumentsFile(write('object.json', '{"text": "x"}'))).toThrow(/must hold an array of records/);
    expect(recordToDocument({ messages: [{ role: 'user', content: 'no reply' }] })).toBeUndefined();
  });
});
