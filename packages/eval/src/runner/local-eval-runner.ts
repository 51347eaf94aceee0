/**
 * The embedded default: inference and evaluation tasks run in this process
 * through the local runner's pool, on models the coordinator built.
 */
import type { EventBus } from '@chainlm/core';
import type { RunConfig } from '../config/run-config.js';
import type { EvalModel } from '../models/eval-model.js';
import type { LoadedDataset } from '../run/load-datasets.js';
import type { runPaths } from '../run/run-layout.js';
import { evaluateDataset, inferShard, shardStem } from '../tasks/task-work.js';
import type { EvalRunner } from './eval-runner.js';
import { runTasks } from './local-runner.js';

export interface LocalRunnerContext {
  config: RunConfig;
  datasets: readonly LoadedDataset[];
  models: ReadonlyMap<string, EvalModel>;
  paths: ReturnType<typeof runPaths>;
  events?: EventBus;
}

export function localEvalRunner(context: LocalRunnerContext): EvalRunner {
  const { config, paths, events } = context;
  const dataset = (abbr: string) => context.datasets.find((candidate) => candidate.config.abbr === abbr)!;
  const limits = { concurrency: config.runner.concurrency, events };
  return {
    infer: (specs) =>
      runTasks(
        specs.map((spec) => ({
          id: spec.id,
          label: `${spec.id} (${dataset(spec.dataset).inferencer.mode})`,
          total: spec.end - spec.start,
          unit: 'items',
          run: (progress) => inferShard(spec, config, dataset(spec.dataset), context.models.get(spec.model)!, paths.predictions(spec.model, shardStem(spec)), progress),
        })),
        limits,
      ),
    evaluate: (groups) =>
      runTasks(
        groups.map((group) => ({
          id: `eval ${group.id}`,
          label: `evaluate ${group.id}`,
          total: group.records.length,
          unit: 'items',
          run: async (progress) => {
            const result = await evaluateDataset(dataset(group.dataset), group.records);
            progress?.update(group.records.length);
            return result;
          },
        })),
        limits,
      ),
    finish: async () => undefined,
  };
}
