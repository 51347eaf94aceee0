/**
 * One eval run, OpenCompass's pipeline:
 *   partition (model × dataset shards) → runner (inference tasks, then
 *   evaluation tasks; in-process by default, or on queue workers) → results
 *   files → summarizer → registry. Whatever the runner, this file writes every
 *   file of the run folder, so a queue run leaves the same folder as a local one.
 * Re-running the same config resumes: finished predictions are read back and
 * only missing items are sent to the model.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Registry, writeFileAtomic, writeJsonAtomic, type EventBus } from '@chainlm/core';
import { createComponent } from '../config/component.js';
import { modelAbbr, type RunConfig } from '../config/run-config.js';
import { EvalError } from '../errors.js';
import type { EvalModel } from '../models/eval-model.js';
import { models as modelSpecs } from '../models/model-specs.js';
import { partition, type InferTaskSpec } from '../partitioner/partition.js';
import type { EvalRunner, EvaluateGroup } from '../runner/eval-runner.js';
import { localEvalRunner } from '../runner/local-eval-runner.js';
import { summaryTable, toCsv, toMarkdown, truncationNotes } from '../summarizer/summarize.js';
import type { InferTaskOutput } from '../tasks/infer-task.js';
import type { EvalResult, SummaryRow } from '../types.js';
import { loadDataset, type LoadedDataset } from './load-datasets.js';
import { recordRun } from './record-run.js';
import { defaultOutputDir, runName, runPaths } from './run-layout.js';

export type ModelFactory = (config: RunConfig['models'][number]) => Promise<EvalModel>;

export interface RunEvalOptions {
  events?: EventBus;
  /** A Registry to record results in; `false` to skip; default: CHAINLM_HOME's (when config.registry). */
  registry?: Registry | false;
  /** Builds models from their configs; default: the `models` registry. Local runner only: queue workers build their own. */
  modelFactory?: ModelFactory;
}

export interface RunOutcome {
  run: string;
  runDir: string;
  rows: SummaryRow[];
  /** Items read back from saved predictions / sent to models in this call. */
  resumedItems: number;
  inferredItems: number;
  registryIds: string[];
}

export async function runEval(config: RunConfig, options: RunEvalOptions = {}): Promise<RunOutcome> {
  const name = runName(config);
  const runDir = join(config.outputDir ?? defaultOutputDir(), name);
  const paths = runPaths(runDir);
  mkdirSync(runDir, { recursive: true });
  // The run folder keeps no Redis password (runner.redis may carry one).
  await writeJsonAtomic(paths.config, config.runner.redis ? { ...config, runner: { ...config.runner, redis: config.runner.redis.replace(/\/\/([^@/]*:)[^@/]*@/, '//$1***@') } } : config);
  const factory = options.modelFactory ?? ((model) => createComponent<Promise<EvalModel>, void>(modelSpecs, model, undefined));
  const datasets = await Promise.all(config.datasets.map((dataset) => loadDataset(dataset, config.limit)));
  const models = new Map<string, EvalModel>();
  let runner: EvalRunner | undefined;
  try {
    // The queue runner's models live on the workers; the coordinator builds none. Imported on
    // use: BullMQ and ioredis take ~1 s to load, which local runs (npm start) do not need.
    if (config.runner.type === 'queue') runner = await (await import('../runner/queue-runner.js')).openQueueRunner({ config, datasets, paths, events: options.events });
    else {
      for (const model of config.models) models.set(modelAbbr(model), await factory(model));
      runner = localEvalRunner({ config, datasets, models, paths, events: options.events });
    }
    const abbrs = config.models.map((model) => modelAbbr(model));
    const specs = partition(abbrs, datasets.map((dataset) => ({ abbr: dataset.config.abbr, size: dataset.test.length })), config.runner.shardSize);
    const inferOutcomes = await runner.infer(specs);
    const inferred = new Map<string, InferTaskOutput>();
    const failures: string[] = [];
    for (const outcome of inferOutcomes) {
      if (outcome.ok) inferred.set(outcome.id, outcome.value);
      else failures.push(`${outcome.id}: ${(outcome.error as Error).message}`);
    }
    const rows = await evaluate(runner, specs, inferred, datasets, paths, failures);
    await writeSummary(paths, name, rows);
    const registryIds = await record(config, options, { name, dir: runDir, rows });
    await runner.finish(failures.length > 0 ? 'failed' : 'done');
    if (failures.length > 0) {
      throw new EvalError('eval-model-request', `${failures.length} task(s) failed in run ${name}:\n  ${failures.join('\n  ')}`, 'fix the cause and run the same command again: finished predictions are kept and the run resumes', 1);
    }
    const outputs = [...inferred.values()];
    return {
      run: name,
      runDir,
      rows,
      resumedItems: outputs.reduce((sum, output) => sum + output.resumed, 0),
      inferredItems: outputs.reduce((sum, output) => sum + output.records.length - output.resumed, 0),
      registryIds,
    };
  } finally {
    await runner?.dispose?.();
    for (const model of models.values()) await model.close?.();
  }
}

/** Evaluates each model × dataset whose shards all have predictions; writes its results file. */
async function evaluate(
  runner: EvalRunner,
  specs: InferTaskSpec[],
  inferred: Map<string, InferTaskOutput>,
  datasets: LoadedDataset[],
  paths: ReturnType<typeof runPaths>,
  failures: string[],
): Promise<SummaryRow[]> {
  const groups = new Map<string, InferTaskSpec[]>();
  for (const spec of specs) groups.set(`${spec.model}/${spec.dataset}`, [...(groups.get(`${spec.model}/${spec.dataset}`) ?? []), spec]);
  const ready: EvaluateGroup[] = [...groups.entries()]
    .filter(([, shards]) => shards.every((shard) => inferred.has(shard.id)))
    .map(([id, shards]) => ({ id, model: shards[0].model, dataset: shards[0].dataset, records: shards.flatMap((shard) => inferred.get(shard.id)!.records) }));
  const outcomes = await runner.evaluate(ready);
  const rows: SummaryRow[] = [];
  for (const [index, outcome] of outcomes.entries()) {
    if (!outcome.ok) {
      failures.push(`${outcome.id}: ${(outcome.error as Error).message}`);
      continue;
    }
    const group = ready[index];
    const dataset = datasets.find((candidate) => candidate.config.abbr === group.dataset)!;
    const result = outcome.value;
    const truncated = group.records.filter((record) => (record.truncatedTokens ?? 0) > 0).length;
    const groupRows = summaryRows(result, group.model, dataset, truncated);
    await writeJsonAtomic(paths.results(group.model, dataset.config.abbr), { ...groupRows[0], extra: result.extra ?? {}, details: result.details });
    rows.push(...groupRows);
  }
  return rows;
}

function summaryRows(result: EvalResult, model: string, dataset: LoadedDataset, truncated: number): SummaryRow[] {
  const base = { dataset: dataset.config.abbr, model, mode: dataset.inferencer.mode, promptHash: dataset.promptHash, ...(truncated > 0 ? { truncated } : {}) };
  const extras = Object.entries(result.extra ?? {}).filter(([metric]) => metric !== result.metric);
  return [{ ...base, metric: result.metric, score: result.score }, ...extras.map(([metric, score]) => ({ ...base, metric, score }))];
}

async function writeSummary(paths: ReturnType<typeof runPaths>, run: string, rows: SummaryRow[]): Promise<void> {
  const table = summaryTable(rows);
  await writeJsonAtomic(paths.summaryJson, { run, createdAt: new Date().toISOString(), rows });
  await writeFileAtomic(join(paths.summaryDir, 'summary.md'), `${toMarkdown(table)}\n${truncationNotes(rows).map((note) => `\n${note}`).join('')}`);
  await writeFileAtomic(join(paths.summaryDir, 'summary.csv'), `${toCsv(table)}\n`);
}

async function record(config: RunConfig, options: RunEvalOptions, run: { name: string; dir: string; rows: SummaryRow[] }): Promise<string[]> {
  if (options.registry === false || (!config.registry && options.registry === undefined)) return [];
  const registry = options.registry ?? new Registry();
  const recorded = config.models.map((model) => ({
    abbr: modelAbbr(model),
    registryId: typeof model.registryId === 'string' ? model.registryId : undefined,
    location: String(model.path ?? model.baseUrl ?? ''),
  }));
  return recordRun(registry, run, recorded);
}
