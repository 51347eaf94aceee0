/** Export a dataset's records to one Parquet or JSONL file (written atomically). */
import { rename, rm, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ChainlmHome } from '@chainlm/core';
import { dataErrors } from '../errors.js';
import { datasetFolder, readDataset } from './dataset-store.js';
import { withDatasetViews, parquetList } from './views.js';

export const exportFormats = ['parquet', 'jsonl'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export async function exportDataset(home: ChainlmHome, name: string, format: ExportFormat, out: string): Promise<{ file: string; records: number }> {
  const manifest = await readDataset(home, name);
  if (manifest.kind === 'tokenized') throw dataErrors.kindUnsupported('export', 'tokenized', ['text', 'instruction', 'chat', 'mcq', 'qa']);
  await mkdir(dirname(out), { recursive: true });
  const temp = `${out}.${process.pid}.tmp`;
  const files = parquetList(manifest.parts.map((part) => join(datasetFolder(home, name), part)));
  await withDatasetViews(home, async (connection) => {
    const options = format === 'parquet' ? 'FORMAT parquet, COMPRESSION zstd' : 'FORMAT json';
    await connection.run(`COPY (SELECT * FROM read_parquet(${files}, union_by_name = true)) TO '${temp.replaceAll("'", "''")}' (${options})`);
  }).catch(async (error) => {
    await rm(temp, { force: true });
    throw error;
  });
  await rename(temp, out);
  return { file: out, records: manifest.counts.records };
}
