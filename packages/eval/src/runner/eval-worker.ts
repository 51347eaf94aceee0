/**
 * `chainlm-eval worker`: takes eval tasks from every open run's queue and runs
 * them with the local runner's code. Datasets and models are kept between
 * tasks (worker-cache.ts), so the shards of one run cost one load. Inference
 * saves to a predictions file under the worker's own folder as the local
 * runner does, so a task retried on the same machine resumes (the file goes
 * once the task is done); the coordinator's saved records come with the task.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ChainlmError, EventBus, resolveHome } from '@chainlm/core';
import { startQueueWorker, type QueueWorkerHandle, type WorkerTask } from '@chainlm/queue';
import { EvalError } from '../errors.js';
import { runName } from '../run/run-layout.js';
import { readPredictions, writePredictions } from '../tasks/predictions-file.js';
import { evaluateDataset, inferShard, shardStem } from '../tasks/task-work.js';
import type { PredictionRecord } from '../types.js';
import { evaluateJobSchema, inferJobSchema } from './queue-jobs.js';
import { WorkerCache } from './worker-cache.js';

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
  const cache = new WorkerCache();

  const handle = async (task: WorkerTask<unknown>): Promise<unknown> => {
    if (task.name === 'infer') {
      const job = inferJobSchema.parse(task.data);
      const config = cache.config(job.config, task.id);
      const { spec } = job;
      const dataset = await cache.dataset(config, spec.dataset, job.dataHash);
      const file = join(workDir, runName(config), 'predictions', spec.model, `${shardStem(spec)}.json`);
      const header = { task: spec.id, promptHash: dataset.promptHash, start: spec.start, end: spec.end };
      const local = readPredictions(file, header);
      if (job.saved.length > local.size) await writePredictions(file, header, new Map(job.saved.map((record) => [record.index, record as unknown as PredictionRecord])));
      const output = await inferShard(spec, config, dataset, await cache.model(config, spec.model), file, progressReporter(task, spec.end - spec.start));
      // Done: the result lives in Redis and then in the run folder; the local save only serves a retry here.
      rmSync(file, { force: true });
      return output;
    }
    if (task.name === 'evaluate') {
      const job = evaluateJobSchema.parse(task.data);
      const config = cache.config(job.config, task.id);
      return evaluateDataset(await cache.dataset(config, job.dataset, job.dataHash), job.records as unknown as PredictionRecord[]);
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
      await cache.close();
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
