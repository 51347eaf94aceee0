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
  type ToolCall,
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
export { readRecords, readQuarantine, type QuarantineRow } from './store/read-records.js';
export { runSql, runReadOnlySql, type SqlResult } from './store/sql.js';
export { exportDataset, exportFormats, type ExportFormat } from './store/export-dataset.js';
export { datasetStats, type DatasetStats } from './stats/dataset-stats.js';
export { cleanDataset, defaultCleanWorkers, type CleanOptions } from './clean/clean-dataset.js';
export type { DataQueueOptions } from './queue/staged-batches.js';
export type { CleanReport, OperatorReport, DroppedExample } from './clean/clean-report.js';
export { loadRecipe, parseRecipe, recipeSchema, type Recipe, type RecipeStep } from './clean/recipe.js';
export { operators, type OperatorName } from './clean/operators/index.js';
export {
  defineOperator,
  filterBy,
  mapStrings,
  keyedFilter,
  isKeyedFilter,
  batchFunction,
  type Operator,
  type KeyedFilter,
  type OperatorDefinition,
  type OperatorContext,
  type OperatorFunction,
  type OperatorOutput,
} from './clean/operator.js';
export { MinHasher, signatureSimilarity, type MinHashOptions } from './dedup/minhash.js';
export { LshIndex, optimalBands, type LshMatch } from './dedup/lsh-index.js';
export { concatRows, sliceRows, splitTailRows, type PackedRows } from './tokenize/packed-rows.js';
export { SequencePacker, type PackerOptions } from './tokenize/packer.js';
export { packDocuments, type PackDocument, type PackDocumentsOptions } from './tokenize/pack-documents.js';
export { renderPieces, type Piece, type TemplateLike } from './tokenize/sft-render.js';
export { tokenizeDataset, isValidation, toConversation, type TokenizeOptions } from './tokenize/tokenize-dataset.js';
export { openShards, type OpenShards, type ShardBatch } from './tokenize/open-shards.js';
export { readShard, writeShard, shardColumns } from './tokenize/shard-io.js';
export { readShardManifest, shardManifestSchema, type ShardManifest, type SplitName } from './tokenize/shard-manifest.js';
export type { PackTokenizer } from './tokenize/load-tokenizer.js';
export { dataProgram } from './cli/program.js';
