import { defineCommand, ensureHome, UsageError } from '@chainlm/core';
import { ingest, type IngestResult } from '../../ingest/ingest.js';
import { parseFieldMap } from '../../records/field-map.js';
import { isRecordKind, recordKinds } from '../../records/kinds.js';
import { sourceFormats, type SourceFormat } from '../../readers/open-source.js';
import { textSplits, type TextSplit } from '../../readers/text-reader.js';

export const ingestCommand = defineCommand({
  name: 'ingest',
  summary: 'ingest files or folders into a dataset (JSONL, JSON, CSV/TSV, text, Parquet, Arrow; .gz too)',
  description:
    'Every input unit ends up either as a record or in the quarantine table: ok + quarantined = read.\n' +
    'Re-ingesting a file with the same content is a no-op; new files are appended (use --replace to start over).',
  positionals: [{ name: 'paths', description: 'files or folders to ingest', required: true, variadic: true }],
  options: {
    dataset: { type: 'string', required: true, valueName: 'NAME', description: 'dataset to create or append to' },
    kind: { type: 'string', valueName: 'KIND', description: `force the record kind (${recordKinds.join(', ')}); default: detected` },
    map: { type: 'list', valueName: 'TARGET=SOURCE', description: 'rename source fields, e.g. instruction=prompt,output=response' },
    split: { type: 'string', valueName: 'UNIT', default: 'paragraph', description: `what one text record is (${textSplits.join(', ')})` },
    format: { type: 'string', valueName: 'FORMAT', description: `force the input format (${sourceFormats.join(', ')})` },
    columns: { type: 'list', valueName: 'NAMES', description: 'CSV column names for files without a header row' },
    replace: { type: 'boolean', description: 'replace the dataset instead of appending' },
  },
  examples: [
    'chainlm-data ingest ../shared/datasets/gsm8k/train.jsonl --dataset gsm8k',
    'chainlm-data ingest data.jsonl --dataset sft --map instruction=prompt,output=response --json',
  ],
  async run({ options, positionals, events }) {
    if (options.kind !== undefined && !isRecordKind(options.kind)) throw new UsageError(`ingest: --kind must be one of ${recordKinds.join(', ')}, got "${options.kind}"`);
    if (!(textSplits as readonly string[]).includes(options.split)) throw new UsageError(`ingest: --split must be one of ${textSplits.join(', ')}, got "${options.split}"`);
    if (options.format !== undefined && !(sourceFormats as readonly string[]).includes(options.format)) {
      throw new UsageError(`ingest: --format must be one of ${sourceFormats.join(', ')}, got "${options.format}"`);
    }
    return ingest({
      home: ensureHome(),
      dataset: options.dataset,
      paths: positionals,
      kind: options.kind as never,
      fieldMap: parseFieldMap(options.map ?? []),
      split: options.split as TextSplit,
      format: options.format as SourceFormat | undefined,
      csvColumns: options.columns,
      replace: options.replace ?? false,
      events,
    });
  },
  render(result, print) {
    const value = result as IngestResult;
    print(`${value.dataset} (${value.kind}): ${value.ok} ok, ${value.quarantined} quarantined of ${value.read} read`);
    if (value.skipped.length > 0) print(`skipped (already ingested): ${value.skipped.join(', ')}`);
    print(`total: ${value.total.records} records, ${value.total.quarantined} quarantined — ${value.path}`);
  },
});
