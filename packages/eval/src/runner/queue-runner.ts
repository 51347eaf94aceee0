/**
 * The queue runner: each inference task (a model × dataset shard, as the
 * partitioner made it) and then each evaluation group becomes a job on the
 * run's BullMQ queue (`chainlm-eval-<run>`); `chainlm-eval worker` processes
 * run them with the local runner's code (tasks/task-work.ts) and return
 * predictions and scores. The coordinator (run-eval.ts) writes every file.
 *
 * Resume: a shard whose predictions file in the run folder is complete is not
 * queued; a partly saved one is queued with its saved records, so the worker
 * infers only the rest; a job already queued, running or finished by a
 * coordinator that was killed is picked up where the queue has it (RunQueue).
 */
import type { EventBus, TaskHandle } from '@chainlm/core';
import { QueueError, RunQueue, type QueueOutcome } from '@chainlm/queue';
import type { RunConfig } from '../config/run-config.js';
import { EvalError } from '../errors.js';
import type { InferTaskSpec } from '../partitioner/partition.js';
import type { LoadedDataset } from '../run/load-datasets.js';
import { runName, type runPaths } from '../run/run-layout.js';
import type { InferTaskOutput } from '../tasks/infer-task.js';
import { readPredictions, writePredictions, type PredictionsHeader } from '../tasks/predictions-file.js';
import { shardStem } from '../tasks/task-work.js';
import type { EvalResult, PredictionRecord } from '../types.js';
import type { EvalRunner } from './eval-runner.js';
import type { TaskOutcome } from './local-runner.js';
import { dataHash, evaluateTaskId, inferTaskId, type EvaluateJob, type InferJob } from './queue-jobs.js';

export interface QueueRunnerContext {
  config: RunConfig;
  datasets: readonly LoadedDataset[];
  paths: ReturnType<typeof runPaths>;
  events?: EventBus;
}

export async function openQueueRunner(context: QueueRunnerContext): Promise<EvalRunner> {
  const { config, paths, events } = context;
  const redisUrl = config.runner.redis!;
  let queue: RunQueue;
  try {
    queue = await RunQueue.open({ redisUrl, family: 'eval', runId: runName(config), attempts: config.runner.attempts });
  } catch (error) {
    if (error instanceof QueueError) throw new EvalError('eval-queue', error.message, error.hint ?? 'check --redis', error.exitCode, error);
    throw error;
  }
  const dataset = (abbr: string) => context.datasets.find((candidate) => candidate.config.abbr === abbr)!;
  const hashes = new Map(context.datasets.map((loaded) => [loaded.config.abbr, dataHash(loaded)]));
  const wireConfig = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;

  return {
    async infer(specs) {
      const header = (spec: InferTaskSpec): PredictionsHeader => ({ task: spec.id, promptHash: dataset(spec.dataset).promptHash, start: spec.start, end: spec.end });
      const file = (spec: InferTaskSpec) => paths.predictions(spec.model, shardStem(spec));
      const finished: TaskOutcome<InferTaskOutput>[] = [];
      const queued: { spec: InferTaskSpec; data: InferJob; progress?: TaskHandle }[] = [];
      for (const spec of specs) {
        const saved = readPredictions(file(spec), header(spec));
        if (saved.size === spec.end - spec.start) {
          finished.push({ id: spec.id, ok: true, value: { records: sorted(saved), resumed: saved.size } });
          continue;
        }
        const progress = events?.task(spec.id, { label: `${spec.id} (${dataset(spec.dataset).inferencer.mode}, queued)`, total: spec.end - spec.start, unit: 'items' });
        progress?.update(saved.size);
        queued.push({ spec, progress, data: { config: wireConfig, spec, saved: sorted(saved), dataHash: hashes.get(spec.dataset)! } });
      }
      const handles = new Map(queued.map((entry) => [inferTaskId(entry.spec.id), entry.progress]));
      const outcomes = await queue.run<InferJob, InferTaskOutput>(
        queued.map((entry) => ({ id: inferTaskId(entry.spec.id), name: 'infer', data: entry.data })),
        { onProgress: (id, progress) => handles.get(id)?.update(Number((progress as { done?: number }).done ?? 0)) },
      );
      for (const [index, outcome] of outcomes.entries()) {
        const { spec, progress } = queued[index];
        if (outcome.ok) {
          await writePredictions(file(spec), header(spec), new Map(outcome.value.records.map((record) => [record.index, record])));
          progress?.finish();
        } else progress?.fail(outcome.error);
        finished.push(relabel(outcome, spec.id));
      }
      const order = new Map(specs.map((spec, index) => [spec.id, index]));
      return finished.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
    },

    async evaluate(groups) {
      const handles = groups.map((group) => events?.task(`eval ${group.id}`, { label: `evaluate ${group.id} (queued)`, total: group.records.length, unit: 'items' }));
      const outcomes = await queue.run<EvaluateJob, EvalResult>(
        groups.map((group) => ({
          id: evaluateTaskId(group.id),
          name: 'evaluate',
          data: { config: wireConfig, model: group.model, dataset: group.dataset, records: group.records, dataHash: hashes.get(group.dataset)! },
        })),
      );
      return outcomes.map((outcome, index) => {
        if (outcome.ok) {
          handles[index]?.update(groups[index].records.length);
          handles[index]?.finish();
        }
        else handles[index]?.fail(outcome.error);
        return relabel(outcome, `eval ${groups[index].id}`);
      });
    },

    finish: (state) => queue.finish(state),
    dispose: () => queue.close(),
  };
}

function sorted(records: Map<number, PredictionRecord>): PredictionRecord[] {
  return [...records.values()].sort((a, b) => a.index - b.index);
}

function relabel<T>(outcome: QueueOutcome<T>, id: string): TaskOutcome<T> {
  return outcome.ok ? { id, ok: true, value: outcome.value } : { id, ok: false, error: outcome.error };
}
