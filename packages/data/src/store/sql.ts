/** `chainlm-data sql`: any SQL over the dataset views, results as JSON-safe rows. */
import type { ChainlmHome } from '@chainlm/core';
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
