/**
 * Runs a recipe over a dataset into a new dataset of the same kind, in one streaming
 * pass: this thread reads Parquet batches and sends them to clean workers (if any),
 * which run the batch functions and compute dedup keys (batch-run.ts); results
 * come back in order and this thread decides duplicates, counts the report and appends
 * survivors to the output part (merge-batch.ts). Ids are recomputed for changed records.
 * Writes reports/clean.json and reports/clean.md into the new dataset and records
 * lineage (new ← input, relation "clean").
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomic, writeJsonAtomic, type ChainlmHome, type EventBus } from '@chainlm/core';
import { dataErrors } from '../errors.js';
import { storedColumns, type RecordKind, type StoredRecord } from '../records/kinds.js';
import { datasetExists, readDataset, writeDataset } from '../store/dataset-store.js';
import type { DatasetManifest } from '../store/manifest.js';
import { PartWriter } from '../store/part-writer.js';
import { readRecords } from '../store/read-records.js';
import { createWorkerPool } from '../workers/worker-pool.js';
import { batchRunner, type BatchOutcome, type CleanJob } from './batch-run.js';
import { reportMarkdown, type CleanReport } from './clean-report.js';
import { mergeBatch } from './merge-batch.js';
import type { Recipe } from './recipe.js';
import type { DataQueueOptions } from '../queue/staged-batches.js';
import { instantiate, type Step, type StepsSetup } from './recipe-steps.js';

/**
 * Characters per output part: each full part is compressed in the background while
 * the pass goes on (~64 MB of text: a 200 MB corpus makes 3–4 parts).
 */
const partChars = 64 << 20;

/**
 * Worker threads when none are asked for. The main thread stays busy reading, deciding
 * and appending, and DuckDB compresses on its own threads, so workers only pay off on
 * cores beyond those: on the shared 2-core benchmark machine, 2 workers took 20–30 %
 * more CPU (records are copied to the workers) and were slower in 11 of 15 paired runs
 * (faster in 4), so there the default is this thread alone. (More cores: unmeasured.)
 */
export function defaultCleanWorkers(): number {
  const cores = availableParallelism();
  return cores > 2 ? cores - 1 : 0;
}

export interface CleanOptions {
  home: ChainlmHome;
  input: string;
  output: string;
  recipe: Recipe;
  /** Where the recipe came from (for the report and relative tokenizer paths). */
  recipeFile?: string;
  replace?: boolean;
  events?: EventBus;
  /** Lineage relation recorded for the new dataset. */
  step?: string;
  /** Worker threads (default: defaultCleanWorkers(); 0 = this thread). */
  workers?: number;
  /**
   * Run the per-record half (batch functions, dedup keys) on `chainlm-data worker`
   * processes, one input part per task; dedup decisions and the report stay here.
   */
  queue?: DataQueueOptions;
}

export async function cleanDataset(options: CleanOptions): Promise<CleanReport> {
  const source = await readDataset(options.home, options.input);
  if (source.kind === 'tokenized') throw dataErrors.kindUnsupported('clean', source.kind, ['text', 'instruction', 'chat', 'mcq', 'qa']);
  if (options.output === options.input || (!options.replace && datasetExists(options.home, options.output))) throw dataErrors.datasetExists(options.output);
  const kind = source.kind as RecordKind;
  const setup: StepsSetup = { kind, recipe: options.recipe, baseDir: options.recipeFile ? resolve(options.recipeFile, '..') : process.cwd() };
  const steps = await instantiate(setup);
  const started = performance.now();
  const task = options.events?.task(`clean ${options.input} → ${options.output}`, { total: source.counts.records, unit: 'records' });
  const counts = { read: 0, kept: 0 };
  const manifest = await writeDataset(options.home, options.output, async (folder) => {
    const writer = await PartWriter.open(folder, 'part-00000', storedColumns(kind), { rotate: partChars });
    const onBatch = async (records: number) => {
      counts.read += records;
      task?.advance(records);
      await writer.rotateIfFull();
    };
    const emit = (record: StoredRecord) => {
      writer.records.add(record);
      counts.kept++;
    };
    await streamThroughSteps(options, setup, steps, onBatch, emit).catch(async (error: unknown) => {
      await writer.abort();
      throw error;
    });
    const parts = await writer.finish();
    return outputManifest(options, kind, counts, parts.records);
  });
  const report: CleanReport = {
    dataset: options.output,
    input: options.input,
    kind,
    recipe: options.recipeFile ?? options.recipe.name,
    read: counts.read,
    kept: counts.kept,
    dropped: counts.read - counts.kept,
    operators: steps.map((step) => step.report),
    seconds: (performance.now() - started) / 1000,
  };
  const folder = options.home.path('datasets', manifest.name);
  await writeJsonAtomic(join(folder, 'reports', 'clean.json'), report);
  await writeFileAtomic(join(folder, 'reports', 'clean.md'), reportMarkdown(report));
  task?.finish({ read: counts.read, kept: counts.kept });
  return report;
}

/** Reads the input once; batches run on the pool (≤ 2 in flight per worker) and merge in order. */
async function streamThroughSteps(
  options: CleanOptions,
  setup: StepsSetup,
  steps: Step[],
  onBatch: (records: number) => Promise<void>,
  emit: (record: StoredRecord) => void,
): Promise<void> {
  if (options.queue) {
    // Imported on use: BullMQ and ioredis take ~1 s to load, which local runs do not need.
    const { stagedBatches } = await import('../queue/staged-batches.js');
    for await (const { records, outcome } of stagedBatches<BatchOutcome>(options.home, options.input, { stage: 'clean', setup }, options.queue, options.events)) {
      mergeBatch(records, outcome, steps, setup.kind, emit);
      await onBatch(records.length);
    }
    return;
  }
  const pool = await createWorkerPool<CleanJob, BatchOutcome, StepsSetup>({
    script: new URL('./clean-worker.js', import.meta.url),
    setup,
    workers: options.workers ?? defaultCleanWorkers(),
    // In this thread the main steps serve as the workers' steps too.
    createHandler: () => batchRunner(steps, setup.kind),
  });
  const inFlight: { records: CleanJob['records']; outcome: Promise<BatchOutcome> }[] = [];
  const drain = async (limit: number) => {
    while (inFlight.length > limit) {
      const { records, outcome } = inFlight.shift()!;
      mergeBatch(records, await outcome, steps, setup.kind, emit);
      await onBatch(records.length);
    }
  };
  try {
    for await (const records of readRecords(options.home, options.input)) {
      inFlight.push({ records, outcome: pool.run({ records }) });
      await drain(Math.max(1, pool.workers * 2));
    }
    await drain(0);
  } finally {
    await Promise.allSettled(inFlight.map((entry) => entry.outcome));
    await pool.close();
  }
}

function outputManifest(options: CleanOptions, kind: RecordKind, counts: { read: number; kept: number }, parts: string[]): DatasetManifest {
  const now = new Date().toISOString();
  return {
    formatVersion: 1,
    name: options.output,
    kind,
    createdAt: now,
    updatedAt: now,
    columns: storedColumns(kind).map(([name, type]) => ({ name, type })),
    counts: { read: counts.read, records: counts.kept, quarantined: 0 },
    sources: [],
    parts,
    quarantineParts: [],
    derivedFrom: [options.input],
    derivation: { step: options.step ?? 'clean', recipe: options.recipe, recipeFile: options.recipeFile ?? null },
  };
}
