/** /api/datasets: list, manifest + stats, paged rows, quarantine, cleaning report, read-only SQL confined to the datasets. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasetFolder, datasetStats, listDatasets, readDataset, readQuarantine, readRecords, runReadOnlySql, assertDatasetName } from '@chainlm/data';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../jobs/parse-job-spec.js';
import type { RouteContext } from './context.js';
import type { DatasetSummary } from '../wire.js';

const pageQuery = z.strictObject({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const sqlBody = z.strictObject({ sql: z.string().max(20_000), maxRows: z.number().int().min(1).max(10_000).default(1000) });

export async function datasetRoutes(app: FastifyInstance, { home, options }: RouteContext): Promise<void> {
  const named = (params: unknown) => {
    const { name } = params as { name: string };
    assertDatasetName(name);
    return name;
  };

  app.get('/api/datasets', async (): Promise<{ datasets: DatasetSummary[] }> => {
    const manifests = await listDatasets(home);
    return { datasets: manifests.map(({ name, kind, counts, createdAt, updatedAt, derivedFrom, sources }) => ({ name, kind, counts, createdAt, updatedAt, derivedFrom, sources: sources.length, hasCleanReport: existsSync(join(datasetFolder(home, name), 'reports', 'clean.json')) })) };
  });

  app.get('/api/datasets/:name', async (request) => {
    const name = named(request.params);
    return { manifest: await readDataset(home, name) };
  });

  app.get('/api/datasets/:name/stats', async (request) => ({ stats: await datasetStats(home, named(request.params)) }));

  app.get('/api/datasets/:name/rows', async (request) => {
    const name = named(request.params);
    const { offset, limit } = parseInput(pageQuery, request.query, 'query');
    const manifest = await readDataset(home, name);
    const rows: unknown[] = [];
    if (manifest.kind !== 'tokenized') {
      for await (const batch of readRecords(home, name, { tail: `LIMIT ${limit} OFFSET ${offset}` })) rows.push(...batch.map(jsonSafe));
    }
    return { rows, offset, limit, total: manifest.counts.records, columns: manifest.columns.map((column) => column.name) };
  });

  app.get('/api/datasets/:name/quarantine', async (request) => {
    const name = named(request.params);
    const { offset, limit } = parseInput(pageQuery, request.query, 'query');
    const rows = await readQuarantine(home, name);
    return { rows: rows.slice(offset, offset + limit), offset, limit, total: rows.length };
  });

  app.get('/api/datasets/:name/report', async (request) => {
    const name = named(request.params);
    const file = join(datasetFolder(home, name), 'reports', 'clean.json');
    return { report: existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null };
  });

  app.post('/api/sql', async (request) => {
    const { sql, maxRows } = parseInput(sqlBody, request.body, 'body');
    const started = performance.now();
    // One SELECT, judged by DuckDB's parser, reading only this home's datasets (see core's read-only-sql).
    const result = await runReadOnlySql(home, sql.trim().replace(/;\s*$/, ''), { maxRows, timeoutMs: options.sqlTimeoutMs });
    return { ...result, milliseconds: Math.round(performance.now() - started) };
  });
}

/** Parquet gives bigint and typed arrays; JSON wants numbers and plain arrays. */
function jsonSafe(row: unknown): unknown {
  return JSON.parse(JSON.stringify(row, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value)));
}
