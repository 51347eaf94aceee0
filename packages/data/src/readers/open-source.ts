/**
 * Source files → readers. Folders are walked recursively (sorted, hidden entries
 * skipped) and keep only files whose extension names a known format. Inside folders,
 * README/SOURCE/LICENSE/CHANGELOG files are documentation, not data, and are skipped
 * (name such a file directly to ingest it).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { dataErrors } from '../errors.js';
import { csvReader } from './csv-reader.js';
import { jsonArrayReader } from './json-array-reader.js';
import { jsonlReader } from './jsonl-reader.js';
import type { SourceReader } from './source-item.js';
import { arrowReader, parquetReader } from './table-reader.js';
import { textReader, type TextSplit } from './text-reader.js';

export const sourceFormats = ['jsonl', 'json', 'csv', 'tsv', 'text', 'parquet', 'arrow'] as const;
export type SourceFormat = (typeof sourceFormats)[number];

const extensionFormats: [RegExp, SourceFormat][] = [
  [/\.(jsonl|ndjson)(\.gz)?$/i, 'jsonl'],
  [/\.json(\.gz)?$/i, 'json'],
  [/\.csv(\.gz)?$/i, 'csv'],
  [/\.tsv(\.gz)?$/i, 'tsv'],
  [/\.(txt|md|markdown)(\.gz)?$/i, 'text'],
  [/\.parquet$/i, 'parquet'],
  [/\.(arrow|ipc|feather)$/i, 'arrow'],
];

export function formatOf(path: string): SourceFormat | undefined {
  return extensionFormats.find(([pattern]) => pattern.test(path))?.[1];
}

export interface SourceFile {
  path: string;
  format: SourceFormat;
}

/** Expands files and folders into source files; `format` forces one format for all. */
export async function expandSources(paths: readonly string[], format?: SourceFormat): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw dataErrors.sourceMissing(path);
    if (info.isDirectory()) {
      for (const file of await walk(path)) {
        const found = format ?? formatOf(file);
        if (found) files.push({ path: file, format: found });
      }
      continue;
    }
    const found = format ?? formatOf(path);
    if (!found) throw dataErrors.sourceFormat(path);
    files.push({ path, format: found });
  }
  return files;
}

const documentationName = /^(readme|source|license|changelog)(\.[a-z]+)?$/i;

async function walk(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.') || documentationName.test(entry.name)) continue;
    const full = join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

export interface ReaderOptions {
  split: TextSplit;
  csvColumns?: readonly string[];
}

export function openSource(file: SourceFile, options: ReaderOptions): SourceReader {
  switch (file.format) {
    case 'jsonl':
      return jsonlReader(file.path);
    case 'json':
      return jsonArrayReader(file.path);
    case 'csv':
      return csvReader(file.path, { delimiter: ',', columns: options.csvColumns });
    case 'tsv':
      return csvReader(file.path, { delimiter: '\t', columns: options.csvColumns });
    case 'text':
      return textReader(file.path, options.split);
    case 'parquet':
      return parquetReader(file.path);
    case 'arrow':
      return arrowReader(file.path);
  }
}
