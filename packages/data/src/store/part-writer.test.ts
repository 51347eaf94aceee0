import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { storedColumns } from '../records/kinds.js';
import { PartWriter } from './part-writer.js';
import { readParquetRows } from './read-records.js';

const root = mkdtempSync(join(tmpdir(), 'chainlm-data-parts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('PartWriter', () => {
  it('rotates records into numbered parts that read back in order, with every column type', async () => {
    const writer = await PartWriter.open(root, 'part-00007', storedColumns('chat'), { rotate: 100 });
    const written = Array.from({ length: 25 }, (_, index) => ({
      id: `id${index}`,
      messages: [
        { role: 'user', content: `question ${index} ${'x'.repeat(index)}` },
        { role: 'assistant', content: `answer ${index}\u0000ok` },
      ],
      meta: index % 2 ? null : '{"k":1}',
      source: 'mem.jsonl',
      line: index === 24 ? 2 ** 40 : index + 1,
    }));
    for (const record of written) {
      writer.records.add(record);
      await writer.rotateIfFull();
    }
    writer.addQuarantine('mem.jsonl', 99, 'bad json', '{');
    const parts = await writer.finish();
    expect(parts.records.length).toBeGreaterThan(3);
    expect(parts.records.slice(0, 3)).toEqual(['records/part-00007.parquet', 'records/part-00008.parquet', 'records/part-00009.parquet']);
    const read = [];
    for await (const batch of readParquetRows(parts.records.map((part) => join(root, part)))) read.push(...batch);
    expect(read).toEqual(written);
    const quarantine = [];
    for await (const batch of readParquetRows([join(root, parts.quarantine)])) quarantine.push(...batch);
    expect(quarantine).toEqual([{ file: 'mem.jsonl', line: 99, reason: 'bad json', raw: '{' }]);
  });
});
