/**
 * Ingest: source files → one dataset of one kind, every input unit accounted for.
 *
 * Invariant per source and in total: ok + quarantined = read, where `read` counts the
 * format's units (JSONL lines, JSON elements, CSV rows, text blocks; blank lines are
 * separators, not units). A source whose sha256 is already in the dataset is skipped,
 * so re-ingesting is idempotent. The new dataset folder appears only when complete.
 */
import { resolve } from 'node:path';
import { sha256File, type ChainlmHome, type EventBus } from '@chainlm/core';
import { dataErrors } from '../errors.js';
import { applyFieldMap, type FieldMap } from '../records/field-map.js';
import { storedColumns, type RecordKind } from '../records/kinds.js';
import { expandSources, type SourceFile, type SourceFormat } from '../readers/open-source.js';
import type { TextSplit } from '../readers/text-reader.js';
import { datasetExists, linkInto, readDataset, writeDataset } from '../store/dataset-store.js';
import type { DatasetManifest, SourceEntry } from '../store/manifest.js';
import { PartWriter } from '../store/part-writer.js';
import { ingestSource } from './ingest-source.js';

export interface IngestOptions {
  home: ChainlmHome;
  dataset: string;
  paths: readonly string[];
  kind?: RecordKind;
  fieldMap?: FieldMap;
  split?: TextSplit;
  format?: SourceFormat;
  csvColumns?: readonly string[];
  /** Replace the dataset instead of appending new sources to it. */
  replace?: boolean;
  events?: EventBus;
}

export interface IngestResult {
  dataset: string;
  kind: RecordKind;
  /** Units read, records kept and quarantined by this run (skipped sources count 0). */
  read: number;
  ok: number;
  quarantined: number;
  /** Sources skipped because the dataset already holds their exact content. */
  skipped: string[];
  sources: SourceEntry[];
  /** Totals of the dataset after this run. */
  total: DatasetManifest['counts'];
  path: string;
}

export async function ingest(options: IngestOptions): Promise<IngestResult> {
  const files = await expandSources(options.paths.map((path) => resolve(path)), options.format);
  const previous = !options.replace && datasetExists(options.home, options.dataset) ? await readDataset(options.home, options.dataset) : undefined;
  if (previous && previous.kind === 'tokenized') throw dataErrors.kindUnsupported('ingest', 'tokenized', ['text', 'instruction', 'chat', 'mcq', 'qa']);
  const known = new Set(previous?.sources.map((source) => source.sha256) ?? []);
  const fresh: (SourceFile & { sha256: string; bytes: number })[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    const sha256 = await sha256File(file.path);
    if (known.has(sha256)) skipped.push(file.path);
    else {
      known.add(sha256);
      fresh.push({ ...file, sha256, bytes: 0 });
    }
  }
  if (fresh.length === 0 && previous) return resultOf(previous, [], skipped, options);

  let kind: RecordKind | undefined = options.kind ?? (previous?.kind as RecordKind | undefined);
  const sources: SourceEntry[] = [];
  const task = options.events?.task(`ingest ${options.dataset}`, { unit: 'B' });
  const manifest = await writeDataset(options.home, options.dataset, async (folder) => {
    const base = previous ? previous.sources.length : 0;
    if (previous) await linkInto(resolve(options.home.path('datasets', options.dataset)), folder, [...previous.parts, ...previous.quarantineParts]);
    for (const [index, file] of fresh.entries()) {
      const partName = `part-${String(base + index).padStart(5, '0')}`;
      const source = await ingestSource(file, {
        fixedKind: options.kind,
        datasetKind: kind,
        fieldMap: options.fieldMap ?? new Map(),
        readerOptions: { split: options.split ?? 'paragraph', csvColumns: options.csvColumns },
        onBytes: (bytes) => task?.advance(bytes),
        makeWriter: (found) => PartWriter.open(folder, partName, storedColumns(found)),
      });
      kind = source.kind;
      sources.push({ ...source.entry, sha256: file.sha256 });
    }
    return buildManifest(options.dataset, kind ?? 'text', previous, sources);
  });
  task?.finish({ records: manifest.counts.records, quarantined: manifest.counts.quarantined });
  return resultOf(manifest, sources, skipped, options);
}

function buildManifest(name: string, kind: RecordKind, previous: DatasetManifest | undefined, added: SourceEntry[]): DatasetManifest {
  const sources = [...(previous?.sources ?? []), ...added];
  const now = new Date().toISOString();
  const sum = (key: 'read' | 'ok' | 'quarantined') => sources.reduce((total, source) => total + source[key], 0);
  return {
    formatVersion: 1,
    name,
    kind,
    createdAt: previous?.createdAt ?? now,
    updatedAt: now,
    columns: storedColumns(kind).map(([column, type]) => ({ name: column, type })),
    counts: { read: sum('read'), records: sum('ok'), quarantined: sum('quarantined') },
    sources,
    parts: sources.map((source) => `records/${source.part}.parquet`),
    quarantineParts: sources.map((source) => `quarantine/${source.part}.parquet`),
    derivedFrom: [],
  };
}

function resultOf(manifest: DatasetManifest, sources: SourceEntry[], skipped: string[], options: IngestOptions): IngestResult {
  const sum = (key: 'read' | 'ok' | 'quarantined') => sources.reduce((total, source) => total + source[key], 0);
  return {
    dataset: manifest.name,
    kind: manifest.kind as RecordKind,
    read: sum('read'),
    ok: sum('ok'),
    quarantined: sum('quarantined'),
    skipped,
    sources,
    total: manifest.counts,
    path: options.home.path('datasets', manifest.name),
  };
}
