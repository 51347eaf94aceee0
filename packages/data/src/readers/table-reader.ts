/**
 * Columnar inputs: Parquet (read by DuckDB) and Arrow IPC files/streams (read by
 * apache-arrow). Rows become plain objects; 64-bit integers become numbers.
 */
import { readFile, stat } from 'node:fs/promises';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import type { SourceItem, SourceReader } from './source-item.js';

export function parquetReader(path: string): SourceReader {
  return {
    unit: 'row',
    async *read(onBytes) {
      onBytes((await stat(path)).size);
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      try {
        const result = await connection.stream(`SELECT * FROM read_parquet($path)`, { path });
        let line = 1;
        for await (const rows of result.yieldRowObjectJs()) {
          yield rows.map((row): SourceItem => ({ line: line++, value: toPlain(row) }));
        }
      } finally {
        connection.closeSync();
        instance.closeSync();
      }
    },
  };
}

export function arrowReader(path: string): SourceReader {
  return {
    unit: 'row',
    async *read(onBytes) {
      const bytes = await readFile(path);
      onBytes(bytes.length);
      const table = tableFromIPC(bytes);
      let line = 1;
      let items: SourceItem[] = [];
      for (const row of table) {
        items.push({ line: line++, value: toPlain(row) });
        if (items.length >= 2048) {
          yield items;
          items = [];
        }
      }
      if (items.length > 0) yield items;
    },
  };
}

/** Arrow vectors/struct rows and DuckDB values → JSON-like plain values. */
export function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>, toPlain);
  const candidate = value as { toArray?: () => unknown; toJSON?: () => unknown; [Symbol.iterator]?: unknown };
  if (typeof candidate.toArray === 'function' && typeof candidate[Symbol.iterator] === 'function' && !isStructRow(value)) {
    return Array.from(value as Iterable<unknown>, toPlain);
  }
  const plain = typeof candidate.toJSON === 'function' ? (candidate.toJSON() as Record<string, unknown>) : (value as Record<string, unknown>);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(plain)) out[key] = toPlain(item);
  return out;
}

function isStructRow(value: object): boolean {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function' && !(Symbol.iterator in value && 'length' in value);
}
