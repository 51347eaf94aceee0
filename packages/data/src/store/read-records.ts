/**
 * Streams a dataset's records back from its Parquet parts, in stored order, as
 * batches of plain objects (DuckDB streams 2048-row chunks; 64-bit ints → numbers).
 */
import { join } from 'node:path';
import { DuckDBInstance, DuckDBTypeId, JSDuckDBValueConverter, type DuckDBDataChunk } from '@duckdb/node-api';
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
    const names = result.columnNames();
    const typeIds = names.map((_, column) => result.columnTypeId(column));
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      const rows = Array.from({ length: chunk.rowCount }, () => ({}) as Record<string, unknown>);
      for (const [column, name] of names.entries()) {
        const values = columnValues(chunk, column, typeIds[column]);
        for (let row = 0; row < rows.length; row++) rows[row][name] = values[row];
      }
      if (names.includes('messages')) rows.forEach(dropAbsentChatFields);
      yield rows as StoredRecord[];
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * A chat's optional fields (a message's tool_calls, the record's tools) come back as
 * NULL columns; drop them so a record reads back exactly as it was written.
 */
function dropAbsentChatFields(row: Record<string, unknown>): void {
  if (row.tools === null) delete row.tools;
  if (!Array.isArray(row.messages)) return;
  for (const message of row.messages as Record<string, unknown>[]) if (message.tool_calls === null) delete message.tool_calls;
}

/**
 * One column of a chunk as JS values; 64-bit integers become numbers (lines and counts
 * stay far below 2^53). Strings are read straight from the vector, a third faster than
 * the generic converter, which the nested columns (lists, structs) still use.
 */
function columnValues(chunk: DuckDBDataChunk, column: number, typeId: DuckDBTypeId): unknown[] {
  if (typeId === DuckDBTypeId.VARCHAR) {
    const vector = chunk.getColumnVector(column);
    return Array.from({ length: chunk.rowCount }, (_, row) => vector.getItem(row));
  }
  const values: unknown[] = chunk.convertColumnValues(column, JSDuckDBValueConverter);
  if (typeId === DuckDBTypeId.BIGINT) for (let row = 0; row < values.length; row++) if (typeof values[row] === 'bigint') values[row] = Number(values[row]);
  return values;
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
