/**
 * Streams a dataset's records back from its Parquet parts, in stored order, as
 * batches of plain objects (DuckDB streams ~2048-row chunks; 64-bit ints → numbers).
 */
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { ChainlmHome } from '@chainlm/core';
import type { StoredRecord } from '../records/kinds.js';
import { datasetFolder, readDataset } from './dataset-store.js';

export interface ReadRecordsOptions {
  /** Extra SQL after FROM, e.g. `WHERE line > 10 LIMIT 5`. */
  tail?: string;
}

export async function* readRecords(home: ChainlmHome, name: string, options: ReadRecordsOptions = {}): AsyncGenerator<StoredRecord[]> {
  const manifest = await readDataset(home, name);
  if (manifest.parts.length === 0) return;
  const folder = datasetFolder(home, name);
  yield* readParquetRows(manifest.parts.map((part) => join(folder, part)), options.tail ?? '');
}

export async function* readParquetRows(files: readonly string[], tail = ''): AsyncGenerator<StoredRecord[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const list = files.map((file) => `'${file.replaceAll("'", "''")}'`).join(', ');
    const result = await connection.stream(`SELECT * FROM read_parquet([${list}], union_by_name = true) ${tail}`);
    for await (const rows of result.yieldRowObjectJs()) {
      for (const row of rows) if (typeof row.line === 'bigint') row.line = Number(row.line);
      yield rows as unknown as StoredRecord[];
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}


export interface QuarantineRow {
  file: string;
  line: number;
  reason: string;
  raw: string;
}

/** All quarantined input of a dataset, in file order. */
export async function readQuarantine(home: ChainlmHome, name: string): Promise<QuarantineRow[]> {
  const manifest = await readDataset(home, name);
  const folder = datasetFolder(home, name);
  const rows: QuarantineRow[] = [];
  if (manifest.quarantineParts.length === 0) return rows;
  for await (const batch of readParquetRows(manifest.quarantineParts.map((part) => join(folder, part)))) rows.push(...(batch as unknown as QuarantineRow[]));
  return rows;
}
