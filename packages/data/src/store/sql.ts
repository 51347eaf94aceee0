/**
 * `chainlm-data sql`: SQL over the dataset views, results as JSON-safe rows.
 * `runSql` is the owner's tool (any statement, full DuckDB); `runReadOnlySql` is
 * what a service runs for someone else (the console's SQL box): one SELECT, file
 * access confined to this home's datasets folder, a row and a time limit.
 */
import { lockDownDuckDB, runReadOnlySelect, type ChainlmHome, type ReadOnlySqlLimits, type ReadOnlySqlResult } from '@chainlm/core';
import { dataErrors } from '../errors.js';
import { withDatasetViews } from './views.js';

export interface SqlResult {
  columns: string[];
  rows: Record<string, unknown>[];
}

export async function runSql(home: ChainlmHome, sql: string): Promise<SqlResult> {
  return withDatasetViews(home, async (connection) => {
    try {
      const reader = await connection.runAndReadAll(sql);
      return { columns: reader.columnNames(), rows: reader.getRowObjectsJson() as Record<string, unknown>[] };
    } catch (error) {
      throw dataErrors.sqlFailed((error as Error).message.split('\n')[0]);
    }
  });
}

/** One SELECT over the dataset views; throws core's SqlError (read-only, access-denied, timeout, failed). */
export async function runReadOnlySql(home: ChainlmHome, sql: string, limits: Partial<ReadOnlySqlLimits> = {}): Promise<ReadOnlySqlResult> {
  return withDatasetViews(home, async (connection) => {
    await lockDownDuckDB(connection, { readableDirectories: [home.path('datasets')] });
    return runReadOnlySelect(connection, sql, limits);
  });
}
