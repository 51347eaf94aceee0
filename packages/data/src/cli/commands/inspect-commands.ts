import { defineCommand, ensureHome, UsageError } from '@chainlm/core';
import { datasetStats, type DatasetStats } from '../../stats/dataset-stats.js';
import { listDatasets, readDataset, removeDataset } from '../../store/dataset-store.js';
import { exportDataset, exportFormats, type ExportFormat } from '../../store/export-dataset.js';
import { readRecords } from '../../store/read-records.js';
import { runSql, type SqlResult } from '../../store/sql.js';
import { formatTable } from '../format-table.js';

export const statsCommand = defineCommand({
  name: 'stats',
  summary: 'records, tokens, length histogram, script mix (CJK / Latin letters) and dedup rate of a dataset',
  positionals: [{ name: 'dataset', description: 'dataset name', required: true }],
  async run({ positionals }) {
    return datasetStats(ensureHome(), positionals[0]);
  },
  render(result, print) {
    const stats = result as DatasetStats;
    print(`${stats.dataset} (${stats.kind}): ${stats.records} records, ${stats.quarantined} quarantined of ${stats.read} read`);
    if (stats.tokens !== undefined) print(`tokens: ${stats.tokens}${stats.shards ? ` in ${stats.shards.rows} rows of ${stats.shards.seqLen} (train ${stats.shards.train}, validation ${stats.shards.validation})` : ''}`);
    if (stats.chars !== undefined) print(`chars: ${stats.chars}; exact duplicates: ${stats.duplicates} (${((stats.dedupRate ?? 0) * 100).toFixed(2)}%)`);
    if (stats.scriptMix) print(`script mix (CJK / Latin / neither): cjk ${stats.scriptMix.cjk}, latin ${stats.scriptMix.latin}, none ${stats.scriptMix.none}`);
    if (stats.lengthHistogram?.length) {
      const peak = Math.max(...stats.lengthHistogram.map((bucket) => bucket.records));
      print('length (chars):');
      for (const bucket of stats.lengthHistogram) {
        print(`  ${`${bucket.fromChars}-${bucket.toChars}`.padStart(13)} ${String(bucket.records).padStart(8)} ${'█'.repeat(Math.ceil((bucket.records / peak) * 40))}`);
      }
    }
  },
});

export const headCommand = defineCommand({
  name: 'head',
  summary: 'print the first records of a dataset',
  positionals: [{ name: 'dataset', description: 'dataset name', required: true }],
  options: { count: { type: 'number', short: 'n', default: 5, description: 'how many records' } },
  async run({ options, positionals }) {
    if (!Number.isInteger(options.count) || options.count < 1) throw new UsageError(`head: --count must be a positive integer, got ${options.count}`);
    const records = [];
    for await (const batch of readRecords(ensureHome(), positionals[0], { tail: `LIMIT ${options.count}` })) records.push(...batch);
    return { dataset: positionals[0], records };
  },
  render(result, print) {
    for (const record of (result as { records: unknown[] }).records) print(JSON.stringify(record));
  },
});

export const sqlCommand = defineCommand({
  name: 'sql',
  summary: 'run SQL (DuckDB) over the datasets: one view per dataset, plus NAME__quarantine',
  positionals: [{ name: 'query', description: 'SQL text, e.g. "SELECT count(*) FROM gsm8k"', required: true }],
  async run({ positionals }) {
    return runSql(ensureHome(), positionals[0]);
  },
  render(result, print) {
    const value = result as SqlResult;
    print(formatTable(value.columns, value.rows));
  },
});

export const exportCommand = defineCommand({
  name: 'export',
  summary: 'export a dataset to one Parquet or JSONL file',
  positionals: [{ name: 'dataset', description: 'dataset name', required: true }],
  options: {
    to: { type: 'string', required: true, valueName: 'FORMAT', description: `output format (${exportFormats.join(', ')})` },
    out: { type: 'string', required: true, valueName: 'FILE', description: 'output file' },
  },
  async run({ options, positionals }) {
    if (!(exportFormats as readonly string[]).includes(options.to)) throw new UsageError(`export: --to must be one of ${exportFormats.join(', ')}, got "${options.to}"`);
    return exportDataset(ensureHome(), positionals[0], options.to as ExportFormat, options.out);
  },
  render(result, print) {
    const value = result as { file: string; records: number };
    print(`wrote ${value.records} records to ${value.file}`);
  },
});

export const lsCommand = defineCommand({
  name: 'ls',
  summary: 'list datasets',
  async run() {
    const datasets = await listDatasets(ensureHome());
    return {
      datasets: datasets.map((manifest) => ({
        name: manifest.name,
        kind: manifest.kind,
        records: manifest.counts.records,
        quarantined: manifest.counts.quarantined,
        derivedFrom: manifest.derivedFrom,
        updatedAt: manifest.updatedAt,
      })),
    };
  },
  render(result, print) {
    const rows = (result as { datasets: Record<string, unknown>[] }).datasets;
    print(rows.length === 0 ? 'no datasets yet: run `chainlm-data ingest FILE --dataset NAME`' : formatTable(['name', 'kind', 'records', 'quarantined', 'derivedFrom'], rows));
  },
});

export const rmCommand = defineCommand({
  name: 'rm',
  summary: 'remove a dataset (folder and registry entry)',
  positionals: [{ name: 'dataset', description: 'dataset name', required: true }],
  async run({ positionals }) {
    const home = ensureHome();
    const manifest = await readDataset(home, positionals[0]);
    await removeDataset(home, positionals[0]);
    return { removed: manifest.name, records: manifest.counts.records };
  },
  render(result, print) {
    print(`removed ${(result as { removed: string }).removed}`);
  },
});
