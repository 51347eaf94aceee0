/**
 * Dataset loaders: `{ type, ...options }` → named splits of rows. The reader
 * (in the dataset config) then says which columns are inputs and which is the
 * answer. Generic `jsonl` and `csv` loaders read any user file; the benchmark
 * loaders know the layouts in ../shared/datasets (see each SOURCE.md).
 */
import { z } from 'zod';
import type { ComponentSpec } from '../config/component.js';
import { EvalError } from '../errors.js';
import { NamedRegistry } from '../registry.js';
import type { DatasetSplits, Row } from '../types.js';
import { parseCsv } from './csv.js';
import { readJsonl, readText } from './read-files.js';

export interface DatasetLoader {
  load(): Promise<DatasetSplits>;
}

export type LoaderSpec<O extends { type: string }> = ComponentSpec<O, DatasetLoader>;

export const loaders = new NamedRegistry<LoaderSpec<any>>('dataset loader');

const splitFiles = z.record(z.string(), z.string()).refine((value) => Object.keys(value).length > 0, 'list at least one split');

loaders.register('jsonl', {
  type: 'jsonl',
  schema: z.strictObject({ type: z.literal('jsonl'), splits: splitFiles }),
  create: (options: { type: 'jsonl'; splits: Record<string, string> }): DatasetLoader => ({
    load: async () => Object.fromEntries(Object.entries(options.splits).map(([split, file]) => [split, readJsonl(file, `split "${split}"`)])),
  }),
});

export const csvLoaderSchema = z.strictObject({
  type: z.literal('csv'),
  splits: splitFiles,
  /** Whether the first row names the columns; without it, `columns` must. */
  header: z.boolean().default(true),
  columns: z.array(z.string()).optional(),
});

loaders.register('csv', {
  type: 'csv',
  schema: csvLoaderSchema,
  create: (options: z.infer<typeof csvLoaderSchema>): DatasetLoader => ({
    load: async () =>
      Object.fromEntries(
        Object.entries(options.splits).map(([split, file]) => [split, readCsvRows(file, options.header, options.columns)]),
      ),
  }),
});

export function readCsvRows(file: string, header: boolean, columns?: readonly string[]): Row[] {
  const records = parseCsv(readText(file, 'csv'), file);
  const names = columns ?? (header ? records[0] : undefined);
  if (!names) {
    throw new EvalError('eval-dataset-format', `${file}: the CSV has no header and no column names were given`, 'set `columns: [...]` or `header: true`');
  }
  const body = header ? records.slice(1) : records;
  return body.map((fields, index) => {
    if (fields.length !== names.length) {
      throw new EvalError(
        'eval-dataset-format',
        `${file}: record ${index + 1 + (header ? 1 : 0)} has ${fields.length} fields, expected ${names.length} (${names.join(', ')})`,
        'fix the row or the column list',
      );
    }
    return Object.fromEntries(names.map((name, column) => [name, fields[column]]));
  });
}
