/**
 * One eval run, OpenCompass's pipeline in-process:
 *   partition (model × dataset shards) → local runner (inference tasks, then
 *   evaluation tasks) → results files → summarizer → registry.
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
import { runTasks, type RunnerTask } from '../runner/local-runner.js';
import { summaryTable, toCsv, toMarkdown } from '../summarizer/summarize.js';
import { runEvalTask } from '../tasks/eval-task.js';
import { runInferTask, type InferTaskOutput } from '../tasks/infer-task.js';
import type { EvalResult, SummaryRow } from '../types.js';
import { loadDataset, type LoadedDataset } from './load-datasets.js';
import { recordRun } from './record-run.js';
import { defaultOutputDir, runName, runPaths } from './run-layout.js';

export type ModelFactory = (config: RunConfig['models'][number]) => Promise<EvalModel>;

export interface RunEvalOptions {
  events?: EventBus;
  /** A Registry to record results in; `false` to skip; default: CHAINLM_HOME's (when config.registry). */
  registry?: Registry | false;
  /** Builds models from their configs; default: the `models` registry. */
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
  await writeJsonAtomic(paths.config, config);
  const factory = options.modelFactory ?? ((model) => createComponent<Promise<EvalModel>, void>(modelSpecs, model, undefined));
  const datasets = await Promise.all(config.datasets.map((dataset) => loadDataset(dataset, config.limit)));
  const models = new Map<string, EvalModel>();
  try {
    for (const model of config.models) models.set(modelAbbr(model), await factory(model));
    const specs = partition([...models.keys()], datasets.map((dataset) => ({ abbr: dataset.config.abbr, size: dataset.test.length })), config.runner.shardSize);
    const inferOutcomes = await runTasks(specs.map((spec) => inferTask(spec, config, datasets, models, paths)), { concurrency: config.runner.concurrency, events: options.events });
    const inferred = new Map<string, InferTaskOutput>();
    const failures: string[] = [];
    for (const outcome of inferOutcomes) {
      if (outcome.ok) inferred.set(outcome.id, outcome.value);
      else failures.push(`${outcome.id}: ${(outcome.error as Error).message}`);
    }
    const rows = await evaluate(specs, inferred, datasets, config, paths, options.events, failures);
    await writeSummary(paths, name, rows);
    const registryIds = await record(config, options, { name, dir: runDir, rows });
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
    for (const model of models.values()) await model.close?.();
  }
}

function inferTask(spec: InferTaskSpec, config: RunConfig, datasets: LoadedDataset[], models: Map<string, EvalModel>, paths: ReturnType<typeof runPaths>): RunnerTask<InferTaskOutput> {
  const dataset = datasets.find((candidate) => candidate.config.abbr === spec.dataset)!;
  return {
    id: spec.id,
    label: `${spec.id} (${dataset.inferencer.mode})`,
    total: spec.end - spec.start,
    unit: 'items',
    run: (progress) =>
      runInferTask({
        spec,
        dataset: dataset.config,
        promptHash: dataset.promptHash,
        test: dataset.test,
        train: dataset.train,
        model: models.get(spec.model)!,
        retriever: dataset.retriever,
        inferencer: dataset.inferencer,
        saveEvery: config.runner.saveEvery,
        file: paths.predictions(spec.model, spec.id.slice(spec.model.length + 1)),
        progress,
      }),
  };
}

async function evaluate(
  specs: InferTaskSpec[],
  inferred: Map<string, InferTaskOutput>,
  datasets: LoadedDataset[],
  config: RunConfig,
  paths: ReturnType<typeof runPaths>,
  events: EventBus | undefined,
  failures: string[],
): Promise<SummaryRow[]> {
  const groups = new Map<string, InferTaskSpec[]>();
  for (const spec of specs) groups.set(`${spec.model}/${spec.dataset}`, [...(groups.get(`${spec.model}/${spec.dataset}`) ?? []), spec]);
  const ready = [...groups.entries()].filter(([, shards]) => shards.every((shard) => inferred.has(shard.id)));
  const outcomes = await runTasks(
    ready.map(([id, shards]): RunnerTask<SummaryRow[]> => ({
      id: `eval ${id}`,
      label: `evaluate ${id}`,
      total: shards.reduce((sum, shard) => sum + shard.end - shard.start, 0),
      unit: 'items',
      run: async (progress) => {
        const dataset = datasets.find((candidate) => candidate.config.abbr === shards[0].dataset)!;
        const records = shards.flatMap((shard) => inferred.get(shard.id)!.records);
        const result = await runEvalTask(dataset.config, records, dataset.test);
        progress?.update(records.length);
        const rows = summaryRows(result, shards[0].model, dataset);
        await writeJsonAtomic(paths.results(shards[0].model, dataset.config.abbr), { ...rows[0], extra: result.extra ?? {}, details: result.details });
        return rows;
      },
    })),
    { concurrency: config.runner.concurrency, events },
  );
  for (const outcome of outcomes) if (!outcome.ok) failures.push(`${outcome.id}: ${(outcome.error as Error).message}`);
  return outcomes.flatMap((outcome) => (outcome.ok ? outcome.value : []));
}

function summaryRows(result: EvalResult, model: string, dataset: LoadedDataset): SummaryRow[] {
  const base = { dataset: dataset.config.abbr, model, mode: dataset.inferencer.mode, promptHash: dataset.promptHash };
  const extras = Object.entries(result.extra ?? {}).filter(([metric]) => metric !== result.metric);
  return [{ ...base, metric: result.metric, score: result.score }, ...extras.map(([metric, score]) => ({ ...base, metric, score }))];
}

async function writeSummary(paths: ReturnType<typeof runPaths>, run: string, rows: SummaryRow[]): Promise<void> {
  const table = summaryTable(rows);
  await writeJsonAtomic(paths.summaryJson, { run, createdAt: new Date().toISOString(), rows });
  await writeFileAtomic(join(paths.summaryDir, 'summary.md'), `${toMarkdown(table)}\n`);
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
