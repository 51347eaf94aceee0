export { dataErrors } from './errors.js';
export {
  recordKinds,
  chatRoles,
  storedColumns,
  recordId,
  recordText,
  mapRecordText,
  contentSql,
  isRecordKind,
  type RecordKind,
  type ChatRole,
  type ChatMessage,
  type KindFields,
  type StoredRecord,
} from './records/kinds.js';
export { detectKind } from './records/detect-kind.js';
export { normalizeRecord, type Normalized } from './records/normalize.js';
export { parseFieldMap, applyFieldMap, type FieldMap } from './records/field-map.js';
export { expandSources, formatOf, sourceFormats, type SourceFile, type SourceFormat } from './readers/open-source.js';
export { textSplits, type TextSplit } from './readers/text-reader.js';
export { manifestSchema, datasetKinds, type DatasetManifest, type DatasetKind, type SourceEntry } from './store/manifest.js';
export {
  assertDatasetName,
  datasetFolder,
  datasetExists,
  readDataset,
  listDatasets,
  removeDataset,
  cleanStaleTemp,
  datasetArtifactId,
} from './store/dataset-store.js';
export { ingest, type IngestOptions, type IngestResult } from './ingest/ingest.js';
