import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveHome } from '@chainlm/core';
import { ingest } from './ingest.js';
import { readQuarantine, readRecords } from '../store/read-records.js';

const shared = resolve(import.meta.dirname, '../../../../../shared/datasets');
if (!existsSync(shared)) console.warn(`skipping corrupted-copy tests: ${shared} is absent`);

const badBytes = Buffer.from([0xff, 0xfe, 0x80]);

/** Inserts invalid UTF-8 bytes into the middle of a line. */
function withBadBytes(line: string): Buffer {
  const bytes = Buffer.from(line, 'utf8');
  const middle = bytes.indexOf(0x20, bytes.length >> 1);
  return Buffer.concat([bytes.subarray(0, middle), badBytes, bytes.subarray(middle)]);
}

describe.skipIf(!existsSync(shared))('corrupted copies quarantine exactly the bad records', () => {
  const root = mkdtempSync(join(tmpdir(), 'chainlm-data-corrupt-'));
  const home = resolveHome({ CHAINLM_HOME: join(root, 'home') });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('JSONL: truncated line, invalid UTF-8, wrong type, missing field', async () => {
    const lines = readFileSync(join(shared, 'gsm8k/test.jsonl'), 'utf8').split('\n').slice(0, 50);
    const parts: Buffer[] = lines.map((line) => Buffer.from(line));
    parts[2] = Buffer.from(lines[2].slice(0, 40)); // line 3: truncated
    parts[9] = withBadBytes(lines[9]); // line 10: bad bytes
    parts[19] = Buffer.from(JSON.stringify({ ...JSON.parse(lines[19]), question: 123 })); // line 20: wrong type
    const { answer: _answer, ...noAnswer } = JSON.parse(lines[29]);
    parts[29] = Buffer.from(JSON.stringify(noAnswer)); // line 30: missing field
    const file = join(root, 'gsm8k-bad.jsonl');
    writeFileSync(file, Buffer.concat(parts.flatMap((part) => [part, Buffer.from('\n')])));

    const result = await ingest({ home, dataset: 'gsm8k-bad', paths: [file] });
    expect(result).toMatchObject({ kind: 'qa', read: 50, ok: 46, quarantined: 4 });
    const quarantine = await readQuarantine(home, 'gsm8k-bad');
    expect(quarantine.map((row) => row.line)).toEqual([3, 10, 20, 30]);
    expect(quarantine.map((row) => row.reason)).toEqual([
      expect.stringMatching(/^malformed JSON/),
      'invalid UTF-8 bytes',
      'field "question": expected a string, found a number',
      'missing field "answer"',
    ]);
    expect(quarantine.every((row) => row.file === file && row.raw.length > 0)).toBe(true);
    const lineNumbers: number[] = [];
    for await (const batch of readRecords(home, 'gsm8k-bad')) lineNumbers.push(...batch.map((record) => record.line));
    expect(lineNumbers).toHaveLength(46);
    expect(lineNumbers).not.toContain(3);
  });

  it('JSON array: wrong type, missing field, and a truncated last element', async () => {
    const elements = (JSON.parse(readFileSync(join(shared, 'instructions/llamafactory_alpaca_en_demo.json'), 'utf8')) as object[]).slice(0, 20);
    const texts = elements.map((element) => JSON.stringify(element, null, 2));
    texts[4] = JSON.stringify({ ...elements[4], output: 42 });
    const { instruction: _instruction, ...noInstruction } = elements[7] as { instruction: string };
    texts[7] = JSON.stringify(noInstruction);
    const whole = `[\n${texts.join(',\n')}\n]\n`;
    const file = join(root, 'alpaca-bad.json');
    writeFileSync(file, whole.slice(0, whole.length - 40)); // cuts into element 20

    const result = await ingest({ home, dataset: 'alpaca-bad', paths: [file] });
    expect(result).toMatchObject({ kind: 'instruction', read: 20, ok: 17, quarantined: 3 });
    const quarantine = await readQuarantine(home, 'alpaca-bad');
    expect(quarantine.map((row) => [row.line, row.reason])).toEqual([
      [5, 'field "output": expected a string, found a number'],
      [8, 'missing field "instruction"'],
      [20, 'truncated: the file ends inside this element'],
    ]);
  });

  it('CSV: invalid UTF-8 in one row, a short row, an unterminated quote', async () => {
    // This file has no quoted newlines, so one line is one row.
    const lines = readFileSync(join(shared, 'mmlu/val/machine_learning_val.csv'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(11);
    const rows: Buffer[] = lines.map((line) => Buffer.from(line));
    rows[3] = withBadBytes(lines[3]);
    rows[5] = Buffer.from('only,three,fields');
    const file = join(root, 'mmlu-bad.csv');
    const body = Buffer.concat(rows.flatMap((row) => [row, Buffer.from('\n')]));
    writeFileSync(file, Buffer.concat([body, Buffer.from('"never closed,a,b,c,d,A\n')]));

    const result = await ingest({ home, dataset: 'mmlu-bad', paths: [file] });
    expect(result.kind).toBe('mcq');
    expect(result.read).toBe(lines.length + 1);
    expect(result.quarantined).toBe(3);
    const quarantine = await readQuarantine(home, 'mmlu-bad');
    expect(quarantine.map((row) => [row.line, row.reason])).toEqual([
      [4, 'invalid UTF-8 bytes'],
      [6, 'expected 6 columns, found 3'],
      [lines.length + 1, 'unterminated quoted field'],
    ]);
  });

  it('text: a block with invalid UTF-8 is quarantined whole, the others kept', async () => {
    const file = join(root, 'story.txt');
    writeFileSync(file, Buffer.concat([Buffer.from('First block\nline two\n\n'), withBadBytes('second block has bad bytes here'), Buffer.from('\n\nthird\n')]));
    const result = await ingest({ home, dataset: 'story', paths: [file] });
    expect(result).toMatchObject({ kind: 'text', read: 3, ok: 2, quarantined: 1 });
    const quarantine = await readQuarantine(home, 'story');
    expect(quarantine[0]).toMatchObject({ line: 4, reason: 'invalid UTF-8 bytes at line 4' });
    const texts: string[] = [];
    for await (const batch of readRecords(home, 'story')) texts.push(...batch.map((record) => record.text as string));
    expect(texts).toEqual(['First block\nline two', 'third']);
  });
});
