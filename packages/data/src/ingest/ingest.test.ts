import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { DuckDBInstance } from '@duckdb/node-api';
import { Registry, resolveHome } from '@chainlm/core';
import { ingest } from './ingest.js';
import { parseFieldMap } from '../records/field-map.js';
import { listDatasets, readDataset } from '../store/dataset-store.js';
import { readRecords } from '../store/read-records.js';

const root = mkdtempSync(join(tmpdir(), 'chainlm-data-ingest-'));
const home = resolveHome({ CHAINLM_HOME: join(root, 'home') });
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = join(root, name);
  writeFileSync(file, content);
  return file;
}

async function all(name: string) {
  const rows = [];
  for await (const batch of readRecords(home, name)) rows.push(...batch);
  return rows;
}

const qaLines = (count: number, offset = 0) =>
  Array.from({ length: count }, (_, index) => JSON.stringify({ question: `q${index + offset}`, answer: `a${index + offset}` })).join('\n');

describe('ingest', () => {
  it('keeps provenance and meta, and records the dataset in the registry', async () => {
    const file = write('qa.jsonl', `${qaLines(2)}\n\n${JSON.stringify({ question: 'q9', answer: 'a9', level: 3 })}\n`);
    const result = await ingest({ home, dataset: 'qa', paths: [file] });
    expect(result).toMatchObject({ dataset: 'qa', kind: 'qa', read: 3, ok: 3, quarantined: 0 });
    const rows = await all('qa');
    expect(rows.map((row) => [row.source, row.line, row.meta])).toEqual([
      [file, 1, null],
      [file, 2, null],
      [file, 4, '{"level":3}'],
    ]);
    const artifact = await new Registry({ file: home.registryFile }).get('dataset:qa');
    expect(artifact?.metadata).toMatchObject({ kind: 'qa', records: 3 });
  });

  it('is idempotent on identical content and appends new sources', async () => {
    const first = write('a.jsonl', qaLines(5));
    const second = write('b.jsonl', qaLines(3, 100));
    await ingest({ home, dataset: 'grow', paths: [first] });
    const again = await ingest({ home, dataset: 'grow', paths: [first] });
    expect(again).toMatchObject({ read: 0, ok: 0, skipped: [first], total: { records: 5 } });
    const more = await ingest({ home, dataset: 'grow', paths: [first, second] });
    expect(more).toMatchObject({ read: 3, ok: 3, skipped: [first], total: { records: 8, read: 8 } });
    expect((await all('grow')).map((row) => row.question)).toEqual(['q0', 'q1', 'q2', 'q3', 'q4', 'q100', 'q101', 'q102']);
    const replaced = await ingest({ home, dataset: 'grow', paths: [second], replace: true });
    expect(replaced.total.records).toBe(3);
  });

  it('a failing ingest leaves nothing visible and the old dataset intact', async () => {
    const good = write('good.jsonl', qaLines(4));
    const chat = write('chat.jsonl', JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }));
    await expect(ingest({ home, dataset: 'atomic', paths: [good, chat] })).rejects.toThrow(/holds chat records but the dataset is qa/);
    expect((await listDatasets(home)).map((dataset) => dataset.name)).not.toContain('atomic');
    expect(readdirSync(home.path('datasets')).filter((entry) => entry.includes('atomic'))).toEqual([]);
    await ingest({ home, dataset: 'atomic', paths: [good] });
    await expect(ingest({ home, dataset: 'atomic', paths: [chat] })).rejects.toThrow(/holds chat records/);
    expect((await readDataset(home, 'atomic')).counts.records).toBe(4);
  });

  it('applies a field map and a forced kind', async () => {
    const file = write('pr.jsonl', JSON.stringify({ prompt: 'Say hi', response: 'hi' }));
    await expect(ingest({ home, dataset: 'pr', paths: [file] })).rejects.toThrow(/cannot detect the record kind .* \[prompt, response\]/);
    const result = await ingest({ home, dataset: 'pr', paths: [file], fieldMap: parseFieldMap(['instruction=prompt', 'output=response']) });
    expect(result.kind).toBe('instruction');
    expect((await all('pr'))[0]).toMatchObject({ instruction: 'Say hi', input: '', output: 'hi' });
    expect(() => parseFieldMap(['nonsense'])).toThrow(/invalid --map entry "nonsense"/);
    const forced = await ingest({ home, dataset: 'forced', paths: [write('t.jsonl', JSON.stringify({ body: 'x', text: 'y' }))], kind: 'text' });
    expect(forced.ok).toBe(1);
  });

  it('reads gzip, TSV, line-split text, Parquet and Arrow IPC', async () => {
    const gz = write('qa.jsonl.gz', gzipSync(qaLines(3)));
    expect((await ingest({ home, dataset: 'gz', paths: [gz] })).ok).toBe(3);
    const tsv = write('mcq.tsv', 'question\tA\tB\tanswer\nwhich?\tx\ty\tB\n');
    expect((await ingest({ home, dataset: 'tsv', paths: [tsv] })).kind).toBe('mcq');
    expect((await all('tsv'))[0]).toMatchObject({ question: 'which?', choices: ['x', 'y'], answer: 1 });
    const lines = write('lines.txt', 'one\ntwo\n\nthree\n');
    expect((await ingest({ home, dataset: 'lines', paths: [lines], split: 'line' })).ok).toBe(3);

    const arrowFile = write('t.arrow', Buffer.from(tableToIPC(tableFromArrays({ question: ['q1', 'q2'], answer: ['a1', 'a2'] }), 'file')));
    expect(await ingest({ home, dataset: 'arrow', paths: [arrowFile] })).toMatchObject({ kind: 'qa', ok: 2 });

    const parquetFile = join(root, 't.parquet');
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT 'Question: why?' AS query, ['a', 'b', 'c'] AS choices, 2::BIGINT AS gold) TO '${parquetFile}'`);
    connection.closeSync();
    instance.closeSync();
    expect(await ingest({ home, dataset: 'parquet', paths: [parquetFile] })).toMatchObject({ kind: 'mcq', ok: 1 });
    expect((await all('parquet'))[0]).toMatchObject({ question: 'Question: why?', answer: 2 });
  });

  it('rejects bad names, missing files and unknown extensions', async () => {
    const file = write('x.jsonl', qaLines(1));
    await expect(ingest({ home, dataset: 'Bad Name', paths: [file] })).rejects.toThrow(/invalid dataset name/);
    await expect(ingest({ home, dataset: 'x', paths: [join(root, 'nope.jsonl')] })).rejects.toThrow(/no such file/);
    await expect(ingest({ home, dataset: 'x', paths: [write('x.bin', 'zz')] })).rejects.toThrow(/cannot tell the format/);
  });
});
