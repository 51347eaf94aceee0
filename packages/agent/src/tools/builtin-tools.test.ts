import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { DuckDBInstance } from '@duckdb/node-api';
import { overrideSandboxProbe } from '@chainlm/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBuiltinTools } from './builtin-tools.js';
import { createCalculatorTool } from './calculator.js';
import { createDatasetSqlTool } from './dataset-sql.js';
import { createDateTimeTool } from './date-time.js';
import { createDocSearchTool, splitPassages } from './doc-search.js';
import { createHttpFetchTool } from './http-fetch.js';
import { invokeTool } from './tool.js';
import { createUnitConvertTool } from './unit-convert.js';

describe('calculator', () => {
  const calculator = createCalculatorTool();
  it('evaluates arithmetic, functions and units', async () => {
    expect(await invokeTool(calculator, { expression: '17 * 23 + 2^10' })).toEqual({ ok: true, output: { result: '1415', value: 1415 } });
    expect(await invokeTool(calculator, 'sqrt(16) / 8')).toEqual({ ok: true, output: { result: '0.5', value: 0.5 } });
    expect(await invokeTool(calculator, { expression: '5 km to m' })).toEqual({ ok: true, output: { result: '5000 m' } });
  });
  it('rejects syntax errors and disabled functions', async () => {
    expect(await invokeTool(calculator, { expression: '2 +* 3' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const imported = await invokeTool(calculator, { expression: 'import({x: 1})' });
    expect(imported).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(JSON.stringify(imported)).toMatch(/disabled/);
  });
});

describe('unit_convert and date_time', () => {
  it('converts units and names a bad one', async () => {
    expect(await invokeTool(createUnitConvertTool(), { value: 212, from: 'degF', to: 'degC' })).toMatchObject({ ok: true, output: { value: 100, unit: 'degC' } });
    expect(await invokeTool(createUnitConvertTool(), { value: 1, from: 'parsec', to: 'kg' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });
  it('shifts dates in a time zone and counts days', async () => {
    const tool = createDateTimeTool({ now: () => new Date('2025-01-30T23:30:00Z') });
    expect(await invokeTool(tool, { timezone: 'Asia/Shanghai', addDays: 2, until: '2025-02-11T23:30:00Z' })).toMatchObject({
      ok: true,
      output: { date: '2025-02-02', time: '07:30:00', weekday: 'Sunday', daysUntil: 10 },
    });
    expect(await invokeTool(tool, { timezone: 'Mars/Olympus' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await invokeTool(tool, { date: 'yesterday-ish' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });
});

describe('doc_search', () => {
  const folder = mkdtempSync(join(tmpdir(), 'chainlm-docs-'));
  writeFileSync(join(folder, 'planets.md'), '# Planets\n\nMars has two moons, Phobos and Deimos.\nIt is red.\n\nJupiter is the largest planet.\n');
  mkdirSync(join(folder, 'sub'));
  writeFileSync(join(folder, 'sub', 'cooking.txt'), 'Bread needs flour, water, salt and yeast.\n');
  const tool = createDocSearchTool({ folder });

  it('splits paragraphs with 1-based lines', () => {
    expect(splitPassages('a.md', 'one\ntwo\n\nthree', 8).map((p) => [p.line, p.lineEnd, p.text])).toEqual([
      [1, 2, 'one\ntwo'],
      [4, 4, 'three'],
    ]);
    expect(splitPassages('a.md', 'a\nb\nc', 2).map((p) => [p.line, p.lineEnd])).toEqual([[1, 2], [3, 3]]);
  });

  it('finds the passage with file and line, and sees new files', async () => {
    const result = await invokeTool(tool, 'moons of Mars');
    expect(result.ok && result.output.results[0]).toMatchObject({ file: 'planets.md', line: 3, lineEnd: 4 });
    writeFileSync(join(folder, 'sub', 'moon.txt'), '\n\nThe Moon orbits the Earth every 27.3 days.\n');
    const fresh = await invokeTool(tool, { query: 'Moon orbits Earth', limit: 1 });
    expect(fresh.ok && fresh.output.results).toMatchObject([{ file: join('sub', 'moon.txt'), line: 3 }]);
  });

  it('reports a missing folder', async () => {
    expect(await invokeTool(createDocSearchTool({ folder: join(folder, 'missing') }), 'x')).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });
});

describe('http_fetch', () => {
  const server = Fastify();
  let base = '';
  beforeAll(async () => {
    server.get('/hello', async () => ({ hello: 'world' }));
    server.get('/away', async (_request, reply) => reply.redirect('http://localhost:9/secret'));
    base = await server.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(() => server.close());

  it('fetches allowed hosts only, including after redirects', async () => {
    const tool = createHttpFetchTool({ allowHosts: ['127.0.0.1'] });
    expect(await invokeTool(tool, `${base}/hello`)).toMatchObject({ ok: true, output: { status: 200, text: '{"hello":"world"}' } });
    expect(await invokeTool(tool, { url: 'http://example.com/' })).toMatchObject({ ok: false, error: { code: 'host-not-allowed' } });
    expect(await invokeTool(tool, { url: `${base}/away` })).toMatchObject({ ok: false, error: { code: 'host-not-allowed', message: expect.stringContaining('localhost:9') } });
    expect(await invokeTool(tool, { url: 'file:///etc/passwd' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await invokeTool(tool, { url: `${base}/missing` })).toMatchObject({ ok: false, error: { code: 'http-error' } });
  });

  it('is off by default', () => {
    expect(() => createHttpFetchTool({ allowHosts: [] })).toThrow(/at least one allowed host/);
    expect(createBuiltinTools().map((tool) => tool.name)).not.toContain('http_fetch');
    expect(() => createBuiltinTools(['http_fetch'])).toThrow(/--allow-hosts/);
  });
});

describe('dataset_sql', () => {
  const folder = mkdtempSync(join(tmpdir(), 'chainlm-datasets-'));
  beforeAll(async () => {
    mkdirSync(join(folder, 'poems', 'train'), { recursive: true });
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT range::INTEGER AS id, 'line ' || range AS text FROM range(12)) TO '${join(folder, 'poems', 'train', 'part-0.parquet')}' (FORMAT parquet)`);
    // The packages/data layout: manifest.json, records/ and quarantine/ parts; a hidden half-written folder.
    const dataRoot = join(folder, 'my-poems');
    mkdirSync(join(dataRoot, 'records'), { recursive: true });
    mkdirSync(join(dataRoot, 'quarantine'), { recursive: true });
    mkdirSync(join(folder, '.tmp-ingest', 'records'), { recursive: true });
    await connection.run(`COPY (SELECT 'a' AS id, 'roses are red' AS text) TO '${join(dataRoot, 'records', 'part-00000.parquet')}' (FORMAT parquet)`);
    await connection.run(`COPY (SELECT 'x.jsonl' AS file, 3 AS line, 'bad json' AS reason, '{' AS raw) TO '${join(dataRoot, 'quarantine', 'part-00000.parquet')}' (FORMAT parquet)`);
    await connection.run(`COPY (SELECT 1 AS n) TO '${join(folder, '.tmp-ingest', 'records', 'part-00000.parquet')}' (FORMAT parquet)`);
    writeFileSync(join(dataRoot, 'manifest.json'), JSON.stringify({ name: 'my-poems', kind: 'text', parts: ['records/part-00000.parquet'], quarantineParts: ['quarantine/part-00000.parquet'] }));
    connection.closeSync();
    instance.closeSync();
  });
  const tool = createDatasetSqlTool({ datasetsFolder: folder });

  it('sees packages/data datasets under the same view names as `chainlm-data sql`', async () => {
    expect(await invokeTool(tool, { sql: 'SELECT text FROM "my-poems"' })).toMatchObject({ ok: true, output: { rows: [{ text: 'roses are red' }] } });
    expect(await invokeTool(tool, { sql: 'SELECT count(*) AS n FROM my_poems' })).toMatchObject({ ok: true, output: { rows: [{ n: '1' }] } });
    expect(await invokeTool(tool, { sql: 'SELECT reason FROM my_poems__quarantine' })).toMatchObject({ ok: true, output: { rows: [{ reason: 'bad json' }] } });
    const tables = await invokeTool(tool, { sql: 'SELECT table_name FROM information_schema.tables ORDER BY 1' });
    expect(tables.ok && tables.output.rows.map((row: { table_name: string }) => row.table_name)).toEqual(['my-poems', 'my-poems__quarantine', 'my_poems', 'my_poems__quarantine', 'poems']);
  });

  it('runs a SELECT over the dataset view and caps rows', async () => {
    expect(await invokeTool(tool, { sql: 'SELECT count(*) AS n, max(id) AS top FROM poems' })).toMatchObject({ ok: true, output: { columns: ['n', 'top'], rows: [{ n: '12', top: 11 }] } });
    expect(await invokeTool(tool, { sql: 'SELECT * FROM poems ORDER BY id', maxRows: 5 })).toMatchObject({ ok: true, output: { rowCount: 5, truncated: true } });
  });

  it('rejects writes, multiple statements and files outside the datasets folder', async () => {
    expect(await invokeTool(tool, { sql: 'CREATE TABLE x AS SELECT 1' })).toMatchObject({ ok: false, error: { code: 'read-only' } });
    expect(await invokeTool(tool, { sql: 'SELECT 1; DROP VIEW poems' })).toMatchObject({ ok: false, error: { code: 'read-only' } });
    expect(await invokeTool(tool, { sql: `COPY poems TO '${join(folder, 'x.csv')}'` })).toMatchObject({ ok: false, error: { code: 'read-only' } });
    expect(await invokeTool(tool, { sql: "SELECT * FROM read_csv('/etc/passwd')" })).toMatchObject({ ok: false, error: { code: 'sandbox-violation' } });
    expect(await invokeTool(tool, { sql: 'SELECT * FROM nope' })).toMatchObject({ ok: false, error: { code: 'invalid-input', hint: expect.stringContaining('poems') } });
  });
});

describe('createBuiltinTools', () => {
  it('resolves aliases and rejects unknown names and keys', () => {
    expect(createBuiltinTools(['js', 'calculator']).map((tool) => tool.name)).toEqual(['javascript', 'calculator']);
    expect(() => createBuiltinTools(['teleport'])).toThrow(/unknown tool "teleport"/);
    expect(() => createBuiltinTools(['doc_search'])).toThrow(/--docs/);
    expect(() => createBuiltinTools([], { bogus: 1 } as never)).toThrow(/unknown key "bogus"/);
  });

  it('leaves python out, or refuses it by name, when the machine has no jail — naming bubblewrap', async () => {
    overrideSandboxProbe({ available: false, reason: '/usr/bin/bwrap is missing' });
    try {
      expect(createBuiltinTools().map((tool) => tool.name)).not.toContain('python');
      expect(() => createBuiltinTools(['python'])).toThrow(/tool "python" is off: no safe sandbox for untrusted Python: \/usr\/bin\/bwrap is missing/);
      const unsafe = createBuiltinTools([], { python: { unsafeHostPython: true } });
      expect(unsafe.map((tool) => tool.name)).toContain('python');
    } finally {
      overrideSandboxProbe(undefined);
    }
  });
});
