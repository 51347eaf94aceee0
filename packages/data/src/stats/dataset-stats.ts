/**
 * Dataset statistics, computed in DuckDB over the Parquet parts: record count,
 * characters, a length histogram (power-of-two buckets of characters), the script
 * mix (per record: cjk when CJK letters ≥ Latin letters, latin otherwise, none with
 * neither — a writing-system count, not language identification) and the exact-duplicate rate (records sharing a content id). Tokenized
 * datasets report their shard manifest instead.
 */
import type { ChainlmHome } from '@chainlm/core';
import { contentSql, type RecordKind } from '../records/kinds.js';
import { datasetFolder, readDataset } from '../store/dataset-store.js';
import { quoteIdentifier, withDatasetViews } from '../store/views.js';
import { readShardManifest } from '../tokenize/shard-manifest.js';

export interface DatasetStats {
  dataset: string;
  kind: string;
  records: number;
  quarantined: number;
  read: number;
  tokens?: number;
  chars?: number;
  lengthHistogram?: { fromChars: number; toChars: number; records: number }[];
  scriptMix?: { cjk: number; latin: number; none: number };
  duplicates?: number;
  dedupRate?: number;
  derivedFrom: string[];
  shards?: { train: number; validation: number; seqLen: number; rows: number };
}

export async function datasetStats(home: ChainlmHome, name: string): Promise<DatasetStats> {
  const manifest = await readDataset(home, name);
  const base = {
    dataset: name,
    kind: manifest.kind,
    records: manifest.counts.records,
    quarantined: manifest.counts.quarantined,
    read: manifest.counts.read,
    derivedFrom: manifest.derivedFrom,
  };
  if (manifest.kind === 'tokenized') {
    const shards = await readShardManifest(datasetFolder(home, name));
    return {
      ...base,
      tokens: shards.tokens,
      shards: { train: shards.splits.train.rows, validation: shards.splits.validation.rows, seqLen: shards.seqLen, rows: shards.rows },
    };
  }
  if (manifest.parts.length === 0) return { ...base, chars: 0, lengthHistogram: [], scriptMix: { cjk: 0, latin: 0, none: 0 }, duplicates: 0, dedupRate: 0 };
  return withDatasetViews(home, async (connection) => {
    const content = contentSql(manifest.kind as RecordKind);
    const view = quoteIdentifier(name);
    const cjkPattern = `'[^\\p{Han}\\p{Hiragana}\\p{Katakana}\\p{Hangul}]'`;
    const latinPattern = `'[^A-Za-z\\x{00C0}-\\x{024F}]'`;
    const summary = await connection.runAndReadAll(`
      WITH c AS (SELECT id, ${content} AS content FROM ${view}),
      l AS (SELECT id, length(content) AS chars,
              length(regexp_replace(content, ${cjkPattern}, '', 'g')) AS cjk,
              length(regexp_replace(content, ${latinPattern}, '', 'g')) AS latin FROM c)
      SELECT count(*)::BIGINT AS records, coalesce(sum(chars), 0)::BIGINT AS chars, count(DISTINCT id)::BIGINT AS distinct_ids,
        count(*) FILTER (WHERE cjk + latin > 0 AND cjk >= latin)::BIGINT AS cjk,
        count(*) FILTER (WHERE cjk + latin > 0 AND cjk < latin)::BIGINT AS latin,
        count(*) FILTER (WHERE cjk + latin = 0)::BIGINT AS none
      FROM l`);
    const row = summary.getRowObjectsJS()[0] as Record<string, bigint>;
    const histogram = await connection.runAndReadAll(`
      SELECT CAST(floor(log2(greatest(length(${content}), 1))) AS INTEGER) AS bucket, count(*)::BIGINT AS records
      FROM ${view} GROUP BY bucket ORDER BY bucket`);
    const records = Number(row.records);
    const duplicates = records - Number(row.distinct_ids);
    return {
      ...base,
      records,
      chars: Number(row.chars),
      lengthHistogram: (histogram.getRowObjectsJS() as { bucket: number; records: bigint }[]).map((entry) => ({
        fromChars: entry.bucket === 0 ? 0 : 2 ** entry.bucket,
        toChars: 2 ** (entry.bucket + 1) - 1,
        records: Number(entry.records),
      })),
      scriptMix: { cjk: Number(row.cjk), latin: Number(row.latin), none: Number(row.none) },
      duplicates,
      dedupRate: records === 0 ? 0 : duplicates / records,
    };
  });
}
