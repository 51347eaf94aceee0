/**
 * Ingests one source file into one part: reads items, decides the kind from the first
 * batch (majority of detected kinds, so one malformed early record cannot decide it),
 * normalises each item, and writes records or quarantine rows.
 */
import { dataErrors } from '../errors.js';
import { detectKind } from '../records/detect-kind.js';
import { Reason } from '../records/field-access.js';
import { applyFieldMap, type FieldMap } from '../records/field-map.js';
import { recordId, recordText, type RecordKind } from '../records/kinds.js';
import { normalizeRecord } from '../records/normalize.js';
import { openSource, type ReaderOptions, type SourceFile } from '../readers/open-source.js';
import { clipRaw, type SourceItem } from '../readers/source-item.js';
import type { SourceEntry } from '../store/manifest.js';
import type { PartWriter } from '../store/part-writer.js';

export interface IngestSourceContext {
  /** Kind forced by the user (no detection, no mismatch check). */
  fixedKind?: RecordKind;
  /** Kind of the dataset so far; a file detected as another kind is an error. */
  datasetKind?: RecordKind;
  fieldMap: FieldMap;
  readerOptions: ReaderOptions;
  onBytes(bytes: number): void;
  makeWriter(kind: RecordKind): Promise<PartWriter>;
}

const votes = 64;

export async function ingestSource(
  file: SourceFile & { bytes: number },
  context: IngestSourceContext,
): Promise<{ kind: RecordKind | undefined; entry: Omit<SourceEntry, 'sha256'> }> {
  const reader = openSource(file, context.readerOptions);
  const counts = { read: 0, ok: 0, quarantined: 0, bytes: 0 };
  let kind: RecordKind | undefined = context.fixedKind;
  let writer: PartWriter | undefined;
  let pending: SourceItem[][] = [];
  const onBytes = (bytes: number) => {
    counts.bytes += bytes;
    context.onBytes(bytes);
  };
  for await (const batch of reader.read(onBytes)) {
    if (!writer) {
      pending.push(batch);
      kind ??= decideKind(file.path, pending, context);
      if (!kind) continue;
      writer = await context.makeWriter(kind);
      for (const held of pending) writeBatch(held, kind, writer, file.path, context.fieldMap, counts);
      pending = [];
      continue;
    }
    writeBatch(batch, kind!, writer, file.path, context.fieldMap, counts);
  }
  if (!writer) {
    // Nothing parseable at all: keep the dataset's kind, quarantine whatever was read.
    writer = await context.makeWriter(kind ?? context.datasetKind ?? 'text');
    for (const held of pending) writeBatch(held, kind ?? context.datasetKind ?? 'text', writer, file.path, context.fieldMap, counts);
  }
  await writer.finish();
  return {
    kind,
    entry: {
      path: file.path,
      bytes: counts.bytes,
      format: file.format,
      unit: reader.unit,
      read: counts.read,
      ok: counts.ok,
      quarantined: counts.quarantined,
      part: writer.partName,
    },
  };
}

function decideKind(path: string, batches: SourceItem[][], context: IngestSourceContext): RecordKind | undefined {
  const tally = new Map<RecordKind, number>();
  let firstFields: string[] | undefined;
  let seen = 0;
  for (const batch of batches) {
    for (const item of batch) {
      if (!('value' in item) || seen >= votes) continue;
      const value = applyFieldMap(item.value, context.fieldMap);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
      seen++;
      firstFields ??= Object.keys(value);
      const found = detectKind(value as Record<string, unknown>);
      if (found) tally.set(found, (tally.get(found) ?? 0) + 1);
    }
  }
  if (seen === 0) return undefined;
  const winner = [...tally.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (!winner) throw dataErrors.kindUndetected(path, firstFields ?? []);
  if (context.datasetKind && winner !== context.datasetKind) throw dataErrors.kindMismatch(path, winner, context.datasetKind);
  return winner;
}

function writeBatch(
  batch: SourceItem[],
  kind: RecordKind,
  writer: PartWriter,
  source: string,
  fieldMap: FieldMap,
  counts: { read: number; ok: number; quarantined: number },
): void {
  for (const item of batch) {
    counts.read++;
    if (!('value' in item)) {
      writer.addQuarantine(source, item.line, item.reason, item.raw);
      counts.quarantined++;
      continue;
    }
    const normalized = normalizeRecord(kind, applyFieldMap(item.value, fieldMap));
    let reason = normalized instanceof Reason ? normalized.message : undefined;
    if (!reason && !isWellFormed(recordText(kind, (normalized as { fields: Record<string, unknown> }).fields))) {
      reason = 'lone UTF-16 surrogate in a string (an escaped \\ud800-\\udfff without its pair)';
    }
    if (reason || normalized instanceof Reason) {
      writer.addQuarantine(source, item.line, reason!, clipRaw(JSON.stringify(item.value) ?? String(item.value)));
      counts.quarantined++;
      continue;
    }
    const { fields, meta } = normalized;
    writer.records.add({ id: recordId(kind, fields), ...fields, meta, source, line: item.line });
    counts.ok++;
  }
}

/** String.prototype.isWellFormed (Node 20; ES2024 lib types are not enabled here). */
function isWellFormed(text: string): boolean {
  return (text as unknown as { isWellFormed(): boolean }).isWellFormed();
}
