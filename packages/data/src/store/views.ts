/**
 * An in-memory DuckDB with one view per dataset over its Parquet parts, so `sql`,
 * `stats` and `export` never open a database file another process may hold.
 * View names: the dataset name (quote names with "-" or "." as "my-name"), its
 * identifier-safe alias (my_name), and <name>__quarantine for quarantined input.
 */
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { ChainlmHome } from '@chainlm/core';
import { datasetFolder, listDatasets } from './dataset-store.js';
import type { DatasetManifest } from './manifest.js';

export function parquetList(files: readonly string[]): string {
  return `[${files.map((file) => `'${file.replaceAll("'", "''")}'`).join(', ')}]`;
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function viewAliases(name: string): string[] {
  const safe = name.replace(/[^A-Za-z0-9_]/g, '_');
  return safe === name ? [name] : [name, safe];
}

export async function withDatasetViews<T>(
  home: ChainlmHome,
  body: (connection: DuckDBConnection, datasets: DatasetManifest[]) => Promise<T>,
): Promise<T> {
  const datasets = await listDatasets(home);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    for (const manifest of datasets) {
      const folder = datasetFolder(home, manifest.name);
      for (const alias of viewAliases(manifest.name)) {
        if (manifest.parts.length > 0) {
          const files = parquetList(manifest.parts.map((part) => join(folder, part)));
          await connection.run(`CREATE VIEW ${quoteIdentifier(alias)} AS SELECT * FROM read_parquet(${files}, union_by_name = true)`);
        }
        if (manifest.quarantineParts.length > 0) {
          const files = parquetList(manifest.quarantineParts.map((part) => join(folder, part)));
          await connection.run(`CREATE VIEW ${quoteIdentifier(`${alias}__quarantine`)} AS SELECT * FROM read_parquet(${files})`);
        }
      }
    }
    return await body(connection, datasets);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
