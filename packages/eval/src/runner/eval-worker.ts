/**
 * `chainlm-eval worker`: takes eval tasks from every open run's queue and runs
 * them with the local runner's code. Per process it keeps each dataset loaded
 * and each model built once (keyed by their configs), so the shards of one run
 * cost one load. Inference saves to a predictions file under the worker's own
 * folder as the local runner does, so a task retried on the same machine
 * resumes; the coordinator's saved records come with the task.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ChainlmError, EventBus, resolveHome, stableHash } from '@chainlm/core';
import { startQueueWorker, type QueueWorkerHandle, type WorkerTask } from '@chainlm/queue';
import { createComponent } from '../config/component.js';
import { buildRunConfig, modelAbbr, type RunConfig } from '../config/run-config.js';
import { EvalError } from '../errors.js';
import type { EvalModel } from '../models/eval-model.js';
import { models as modelSpecs } from '../models/model-specs.js';
import { loadDataset, type LoadedDataset } from '../run/load-datasets.js';
import { runName } from '../run/run-layout.js';
import { readPredictions, writePredictions } from '../tasks/predictions-file.js';
import { evaluateDataset, inferShard, shardStem } from '../tasks/task-work.js';
import type { PredictionRecord } from '../types.js';
import { dataHash, evaluateJobSchema, inferJobSchema } from './queue-jobs.js';

export interface EvalWorkerOptions {
  redisUrl: string;
  /** Tasks at once (per open run). */
  concurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Where in-task predictions are saved; default $CHAINLM_HOME/cache/eval-worker. */
  workDir?: string;
  log?(line: string): void;
  onLost?(error: Error): void;
}

export async function startEvalWorker(options: EvalWorkerOptions): Promise<QueueWorkerHandle> {
  const workDir = options.workDir ?? resolveHome().path('cache', 'eval-worker');
  const datasets = new Map<string, Promise<LoadedDataset & { dataHash: string }>>();
  const configs = new Map<string, RunConfig>();
  // The same run config comes with every task of a run: validate it once.
  const runConfig = (value: Record<string, unknown>, taskId: string): RunConfig => {
    const key = stableHash(value);
    if (!configs.has(key)) {
      if (configs.size > 16) configs.clear();
      configs.set(key, buildRunConfig(value as never, `queue task ${taskId}`));
    }
    return configs.get(key)!;
  };
  const models = new Map<string, Promise<EvalModel>>();

  const loaded = async (config: RunConfig, abbr: string, expectedHash: string): Promise<LoadedDataset> => {
    const datasetConfig = config.datasets.find((candidate) => candidate.abbr === abbr);
    if (!datasetConfig) throw new EvalError('eval-queue', `task names dataset "${abbr}", which its run config lacks`, 'the coordinator and the worker run different chainlm versions: update both');
    const key = stableHash({ dataset: datasetConfig, limit: config.limit });
    if (!datasets.has(key)) datasets.set(key, loadDataset(datasetConfig, config.limit).then((dataset) => ({ ...dataset, dataHash: dataHash(dataset) })));
    const dataset = await datasets.get(key)!.catch((error: unknown) => {
      datasets.delete(key);
      throw error;
    });
    if (dataset.dataHash !== expectedHash) {
      throw new EvalError('eval-queue', `dataset ${abbr} as loaded on this worker differs from the coordinator's (other files at ${JSON.stringify(datasetConfig.loader)})`, 'give every worker the same dataset files at the same paths (a shared file system or a copy)');
    }
    return dataset;
  };

  const model = (config: RunConfig, abbr: string): Promise<EvalModel> => {
    const modelConfig = config.models.find((candidate) => modelAbbr(candidate) === abbr);
    if (!modelConfig) throw new EvalError('eval-queue', `task names model "${abbr}", which its run config lacks`, 'the coordinator and the worker run different chainlm versions: update both');
    const key = stableHash(modelConfig);
    if (!models.has(key)) models.set(key, createComponent<Promise<EvalModel>, void>(modelSpecs, modelConfig, undefined));
    return models.get(key)!.catch((error: unknown) => {
      models.delete(key);
      throw error;
    });
  };

  const handle = async (task: WorkerTask<unknown>): Promise<unknown> => {
    if (task.name === 'infer') {
      const job = inferJobSchema.parse(task.data);
      const config = runConfig(job.config, task.id);
      const { spec } = job;
      const dataset = await loaded(config, spec.dataset, job.dataHash);
      const file = join(workDir, runName(config), 'predictions', spec.model, `${shardStem(spec)}.json`);
      const header = { task: spec.id, promptHash: dataset.promptHash, start: spec.start, end: spec.end };
      const local = readPredictions(file, header);
      if (job.saved.length > local.size) await writePredictions(file, header, new Map(job.saved.map((record) => [record.index, record as unknown as PredictionRecord])));
      const output = await inferShard(spec, config, dataset, await model(config, spec.model), file, progressReporter(task, spec.end - spec.start));
      // Done: the result lives in Redis and then in the run folder; the local save only serves a retry here.
      rmSync(file, { force: true });
      return output;
    }
    if (task.name === 'evaluate') {
      const job = evaluateJobSchema.parse(task.data);
      const config = runConfig(job.config, task.id);
      return evaluateDataset(await loaded(config, job.dataset, job.dataHash), job.records as unknown as PredictionRecord[]);
    }
    throw new EvalError('eval-queue', `unknown eval task kind "${task.name}" (task ${task.id})`, 'the coordinator and the worker run different chainlm versions: update both');
  };

  const worker = await startQueueWorker({
    redisUrl: options.redisUrl,
    family: 'eval',
    handle,
    concurrency: options.concurrency,
    lockDurationMs: options.lockDurationMs,
    stalledIntervalMs: options.stalledIntervalMs,
    // Bad input (exit code 2: a config or dataset the user must fix) fails at once; the rest is retried.
    isUnrecoverable: (error) => error instanceof ChainlmError && error.exitCode === 2,
    log: options.log,
    onLost: options.onLost,
  });
  return {
    id: worker.id,
    async close() {
      await worker.close();
      for (const pending of models.values()) await (await pending.catch(() => undefined))?.close?.();
    },
  };
}

/** A TaskHandle whose progress goes to the job (at most every 200 ms), read by the coordinator and the console. */
function progressReporter(task: WorkerTask<unknown>, total: number) {
  const bus = new EventBus();
  let last = 0;
  bus.on((event) => {
    if (event.type !== 'task-progress') return;
    const now = Date.now();
    if (now - last < 200 && event.done < total) return;
    last = now;
    void task.reportProgress({ done: event.done, total }).catch(() => undefined);
  });
  return bus.task(task.id, { total, unit: 'items' });
}
