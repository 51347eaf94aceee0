/**
 * Read-only SQL over chainlm datasets, with the views packages/data's `sql` gives
 * (same names, so a query works in both places), read from CHAINLM_HOME/datasets:
 *   <name>/manifest.json (packages/data)  → view <name> over its `parts`, union_by_name;
 *                                           <name>__quarantine over `quarantineParts`
 *   <name>/ without a manifest            → view <name> over its Parquet files (quarantine/ excluded)
 *   <name>/*.duckdb                       → attached READ_ONLY as database <name>_db
 * Names with "-" or "." also get an identifier-safe alias (my-name → my_name).
 * Each call opens a fresh in-memory DuckDB, creates the views, then locks it down
 * with core's read-only SQL (the same confinement as the console's SQL box): file
 * access limited to the datasets folder, configuration locked, exactly one SELECT
 * judged by DuckDB's parser, a row limit and a deadline.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { lockDownDuckDB, runReadOnlySelect, SqlError, type SqlErrorCode } from '@chainlm/core';
import type { DuckDBConnection } from '@duckdb/node-api';
import { z } from 'zod';
import { ToolError } from '../errors.js';
import { defineTool } from './tool.js';

export interface DatasetSqlOptions {
  /** Folder holding one subfolder per dataset (CHAINLM_HOME/datasets). */
  datasetsFolder: string;
  maxRows?: number;
}

export interface DatasetFiles {
  name: string;
  /** Absolute Parquet paths of the records. */
  parts: string[];
  quarantineParts: string[];
  duckdbFiles: string[];
}

const manifestSchema = z.looseObject({ parts: z.array(z.string()).default([]), quarantineParts: z.array(z.string()).default([]) });

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
    // Hidden folders are packages/data's half-written datasets: never visible.
    if (!entry.isDirectory() || entry.name.startsWith('.') || !/^[A-Za-z0-9_.-]+$/.test(entry.name)) continue;
    const root = join(folder, entry.name);
    const files = (await readdir(root, { recursive: true })).map(String);
    const manifest = await readManifest(join(root, 'manifest.json'));
    datasets.push({
      name: entry.name,
      parts: (manifest?.parts ?? files.filter((file) => file.endsWith('.parquet') && !file.startsWith('quarantine'))).map((file) => join(root, file)),
      quarantineParts: (manifest?.quarantineParts ?? files.filter((file) => file.endsWith('.parquet') && file.startsWith('quarantine'))).map((file) => join(root, file)),
      duckdbFiles: files.filter((file) => file.endsWith('.duckdb')).map((file) => join(root, file)),
    });
  }
  return datasets;
}

async function readManifest(path: string): Promise<z.output<typeof manifestSchema> | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined; // a corrupt manifest: fall back to the folder's Parquet files
  }
}

function viewAliases(name: string): string[] {
  const safe = name.replace(/[^A-Za-z0-9_]/g, '_');
  return safe === name ? [name] : [name, safe];
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

async function openLockedDown(folder: string): Promise<{ connection: DuckDBConnection; datasets: string[]; close: () => void }> {
  // Loaded on first use: the native module is heavy for CLI start-up.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const datasets: string[] = [];
  const list = (files: string[]) => `[${files.map(literal).join(', ')}]`;
  for (const dataset of await findDatasets(folder)) {
    for (const alias of viewAliases(dataset.name)) {
      if (dataset.parts.length > 0) {
        await connection.run(`CREATE VIEW ${quote(alias)} AS SELECT * FROM read_parquet(${list(dataset.parts)}, union_by_name = true)`);
        datasets.push(alias);
      }
      if (dataset.quarantineParts.length > 0) {
        await connection.run(`CREATE VIEW ${quote(`${alias}__quarantine`)} AS SELECT * FROM read_parquet(${list(dataset.quarantineParts)})`);
        datasets.push(`${alias}__quarantine`);
      }
    }
    for (const [index, file] of dataset.duckdbFiles.entries()) {
      const alias = `${viewAliases(dataset.name).at(-1)}_db${index === 0 ? '' : index}`;
      await connection.run(`ATTACH ${literal(file)} AS ${quote(alias)} (READ_ONLY)`);
      datasets.push(alias);
    }
  }
  await lockDownDuckDB(connection, { readableDirectories: [folder] });
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
    async call({ sql, maxRows }, context) {
      const limit = maxRows ?? options.maxRows ?? 100;
      const database = await openLockedDown(folder);
      try {
        const result = await runReadOnlySelect(database.connection, sql, { maxRows: limit, timeoutMs: context.timeoutMs });
        return { columns: result.columns, rows: result.rows, rowCount: result.rows.length, truncated: result.truncated };
      } catch (error) {
        if (!(error instanceof SqlError)) throw error;
        throw new ToolError(toolCodeOf[error.code], error.message, `${error.hint ?? ''}; datasets available: ${database.datasets.join(', ') || '(none)'}`);
      } finally {
        database.close();
      }
    },
  });
}

const toolCodeOf: Record<SqlErrorCode, 'read-only' | 'sandbox-violation' | 'time-limit' | 'invalid-input'> = {
  'sql-read-only': 'read-only',
  'sql-access-denied': 'sandbox-violation',
  'sql-timeout': 'time-limit',
  'sql-failed': 'invalid-input',
};
