/**
 * Read-only SQL over chainlm datasets. Layout read (CHAINLM_HOME/datasets):
 *   <name>/**\/*.parquet   → a view named <name> over all its Parquet files
 *   <name>/**\/*.duckdb    → attached READ_ONLY as database <name>_db
 * Each call opens a fresh in-memory DuckDB, creates the views, then locks it down:
 * file access is limited to the datasets folder (`allowed_directories` +
 * `enable_external_access=false`) and the configuration is locked, so a query cannot
 * read /etc/passwd or re-enable access. Only a single SELECT statement is accepted.
 */
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { ToolError } from '../errors.js';
import { defineTool } from './tool.js';

export interface DatasetSqlOptions {
  /** Folder holding one subfolder per dataset (CHAINLM_HOME/datasets). */
  datasetsFolder: string;
  maxRows?: number;
}

interface DatasetFiles {
  name: string;
  parquet: boolean;
  duckdbFiles: string[];
}

const inputSchema = z.strictObject({
  sql: z.string().min(1).describe('one SELECT statement; datasets are views named after their folder (list them with SELECT table_name FROM information_schema.tables)'),
  maxRows: z.number().int().min(1).max(10_000).optional().describe('rows to return (default 100)'),
});

export async function findDatasets(folder: string): Promise<DatasetFiles[]> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  const datasets: DatasetFiles[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || !/^[A-Za-z0-9_.-]+$/.test(entry.name)) continue;
    const files = (await readdir(join(folder, entry.name), { recursive: true })).map(String);
    datasets.push({
      name: entry.name,
      parquet: files.some((file) => file.endsWith('.parquet')),
      duckdbFiles: files.filter((file) => file.endsWith('.duckdb')).map((file) => join(folder, entry.name, file)),
    });
  }
  return datasets;
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

async function openLockedDown(folder: string): Promise<{ connection: DuckDBConnection; datasets: string[]; close: () => void }> {
  // Loaded on first use: the native module is heavy for CLI start-up.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const datasets: string[] = [];
  for (const dataset of await findDatasets(folder)) {
    if (dataset.parquet) {
      await connection.run(`CREATE VIEW ${quote(dataset.name)} AS SELECT * FROM read_parquet(${literal(join(folder, dataset.name, '**', '*.parquet'))})`);
      datasets.push(dataset.name);
    }
    for (const [index, file] of dataset.duckdbFiles.entries()) {
      const alias = `${dataset.name}_db${index === 0 ? '' : index}`;
      await connection.run(`ATTACH ${literal(file)} AS ${quote(alias)} (READ_ONLY)`);
      datasets.push(alias);
    }
  }
  await connection.run(`SET allowed_directories=[${literal(`${folder}/`)}]`);
  await connection.run('SET enable_external_access=false');
  await connection.run('SET lock_configuration=true');
  return {
    connection,
    datasets,
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

export function createDatasetSqlTool(options: DatasetSqlOptions) {
  const folder = resolve(options.datasetsFolder);
  return defineTool({
    name: 'dataset_sql',
    description: `Runs one read-only SQL SELECT (DuckDB dialect) over the chainlm datasets in ${folder}; each dataset is a view named after its folder.`,
    inputSchema,
    async call({ sql, maxRows }) {
      const limit = maxRows ?? options.maxRows ?? 100;
      const database = await openLockedDown(folder);
      try {
        await requireSingleSelect(database.connection, sql, database.datasets);
        const reader = await database.connection.runAndReadUntil(sql, limit + 1).catch((error: Error) => {
          throw new ToolError(/Permission Error|disabled by configuration/.test(error.message) ? 'sandbox-violation' : 'invalid-input', `SQL failed: ${error.message.split('\n')[0]}`, `datasets available: ${database.datasets.join(', ') || '(none)'}`);
        });
        const rows = reader.getRowObjectsJson();
        return { columns: reader.columnNames(), rows: rows.slice(0, limit), rowCount: Math.min(rows.length, limit), truncated: rows.length > limit };
      } finally {
        database.close();
      }
    },
  });
}

const queryStart = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*(select|with|from|values|table|\()/i;

async function requireSingleSelect(connection: DuckDBConnection, sql: string, datasets: string[]): Promise<void> {
  // A cheap first gate with a clear message; DuckDB's own statement type below is the real check.
  if (!queryStart.test(sql)) {
    throw new ToolError('read-only', `only SELECT queries are allowed, got "${sql.trim().split(/\s+/)[0]}"`, 'datasets are read-only; write a SELECT');
  }
  let statementCount: number;
  let statementType: number;
  try {
    const extracted = await connection.extractStatements(sql);
    statementCount = extracted.count;
    if (statementCount !== 1) {
      throw new ToolError('read-only', `expected exactly one SQL statement, got ${statementCount}`, 'send one SELECT per call');
    }
    statementType = (await extracted.prepare(0)).statementType;
  } catch (error) {
    if (error instanceof ToolError) throw error;
    throw new ToolError(/Permission Error|disabled by configuration/.test((error as Error).message) ? 'sandbox-violation' : 'invalid-input', `SQL rejected: ${(error as Error).message.split('\n')[0]}`, `write one SELECT over the datasets: ${datasets.join(', ') || '(none)'}`);
  }
  const { StatementType } = await import('@duckdb/node-api');
  if (statementType !== StatementType.SELECT) {
    throw new ToolError('read-only', `only SELECT statements are allowed, got ${StatementType[statementType]}`, 'datasets are read-only; write a SELECT');
  }
}
