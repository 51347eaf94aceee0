/**
 * Runs a recipe over a dataset into a new dataset of the same kind. Records stream
 * through the operators batch by batch in order; ids are recomputed after mappers
 * changed content. Writes reports/clean.json and reports/clean.md into the new dataset
 * and records lineage (new ← input, relation "clean").
 */
import { join, resolve } from 'node:path';
import { writeFileAtomic, writeJsonAtomic, type ChainlmHome, type EventBus } from '@chainlm/core';
import { dataErrors } from '../errors.js';
import { recordId, recordText, storedColumns, type RecordKind } from '../records/kinds.js';
import { datasetExists, readDataset, writeDataset } from '../store/dataset-store.js';
import { PartWriter } from '../store/part-writer.js';
import { readRecords } from '../store/read-records.js';
import { exampleOf, examplesPerOperator, reportMarkdown, type CleanReport, type OperatorReport } from './clean-report.js';
import type { OperatorContext, OperatorFunction } from './operator.js';
import { operators } from './operators/index.js';
import type { Recipe } from './recipe.js';
import { loadTokenCounter } from '../tokenize/load-tokenizer.js';

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
}

export async function cleanDataset(options: CleanOptions): Promise<CleanReport> {
  const source = await readDataset(options.home, options.input);
  if (source.kind === 'tokenized') throw dataErrors.kindUnsupported('clean', source.kind, ['text', 'instruction', 'chat', 'mcq', 'qa']);
  if (options.output === options.input || (!options.replace && datasetExists(options.home, options.output))) throw dataErrors.datasetExists(options.output);
  const kind = source.kind as RecordKind;
  const baseDir = options.recipeFile ? resolve(options.recipeFile, '..') : process.cwd();
  const context: OperatorContext = { kind, loadTokenCounter: (path) => loadTokenCounter(resolve(baseDir, path)) };
  const steps = await instantiate(options.recipe, context);
  const started = performance.now();
  const task = options.events?.task(`clean ${options.input} → ${options.output}`, { total: source.counts.records, unit: 'records' });
  let read = 0;
  let kept = 0;
  const manifest = await writeDataset(options.home, options.output, async (folder) => {
    const writer = await PartWriter.open(folder, 'part-00000', storedColumns(kind));
    for await (const batch of readRecords(options.home, options.input)) {
      read += batch.length;
      let records = batch;
      for (const step of steps) records = runStep(step, records, kind);
      for (const record of records) {
        record.id = recordId(kind, record);
        writer.records.add(record);
      }
      kept += records.length;
      task?.advance(batch.length);
    }
    const parts = await writer.finish();
    const now = new Date().toISOString();
    return {
      formatVersion: 1,
      name: options.output,
      kind,
      createdAt: now,
      updatedAt: now,
      columns: storedColumns(kind).map(([name, type]) => ({ name, type })),
      counts: { read, records: kept, quarantined: 0 },
      sources: [],
      parts: [parts.records],
      quarantineParts: [],
      derivedFrom: [options.input],
      derivation: { step: options.step ?? 'clean', recipe: options.recipe, recipeFile: options.recipeFile ?? null },
    };
  });
  const report: CleanReport = {
    dataset: options.output,
    input: options.input,
    kind,
    recipe: options.recipeFile ?? options.recipe.name,
    read,
    kept,
    dropped: read - kept,
    operators: steps.map((step) => step.report),
    seconds: (performance.now() - started) / 1000,
  };
  const folder = options.home.path('datasets', manifest.name);
  await writeJsonAtomic(join(folder, 'reports', 'clean.json'), report);
  await writeFileAtomic(join(folder, 'reports', 'clean.md'), reportMarkdown(report));
  task?.finish({ read, kept });
  return report;
}

interface Step {
  run: OperatorFunction;
  report: OperatorReport;
}

async function instantiate(recipe: Recipe, context: OperatorContext): Promise<Step[]> {
  const steps: Step[] = [];
  for (const { op, ...params } of recipe.operators) {
    const definition = operators.find((candidate) => candidate.name === op)!;
    const run = await definition.create(params as never, context);
    steps.push({ run, report: { op, params, in: 0, out: 0, dropped: 0, modified: 0, examples: [], seconds: 0 } });
  }
  return steps;
}

function runStep(step: Step, records: Parameters<OperatorFunction>[0], kind: RecordKind): Parameters<OperatorFunction>[0] {
  const started = performance.now();
  const output = step.run(records);
  const report = step.report;
  report.seconds += (performance.now() - started) / 1000;
  report.in += records.length;
  report.out += output.kept.length;
  report.dropped += output.dropped.length;
  report.modified += output.modified;
  for (const { record, reason } of output.dropped) {
    if (report.examples.length >= examplesPerOperator) break;
    report.examples.push(exampleOf(record, reason, recordText(kind, record)));
  }
  return output.kept;
}
