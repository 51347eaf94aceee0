/**
 * `chainlm-data worker`: runs the per-record half of clean and tokenize stages
 * for every open data run, one input part per task, on a file system shared
 * with the coordinator (it reads the part and writes the staged outcomes by
 * the paths the task names). Steps and encoders are built once per setup.
 */
import { serialize } from 'node:v8';
import { stableHash, writeFileAtomic } from '@chainlm/core';
import { startQueueWorker, type QueueWorkerHandle } from '@chainlm/queue';
import { batchRunner, type BatchOutcome, type CleanJob } from '../clean/batch-run.js';
import { instantiate, type StepsSetup } from '../clean/recipe-steps.js';
import { readParquetRows } from '../store/read-records.js';
import { createJobEncoder, type EncodedBatch, type EncodeJob } from '../tokenize/encode-job.js';
import { toJob } from '../tokenize/tokenize-dataset.js';
import { partJobSchema, type PartJob, type PartResult } from './part-jobs.js';
import { parseRecipe } from '../clean/recipe.js';

export interface DataWorkerOptions {
  redisUrl: string;
  concurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  log?(line: string): void;
  onLost?(error: Error): void;
}

export async function startDataWorker(options: DataWorkerOptions): Promise<QueueWorkerHandle> {
  const cleaners = new Map<string, Promise<(job: CleanJob) => BatchOutcome>>();
  const encoders = new Map<string, Promise<(job: EncodeJob) => EncodedBatch>>();
  return startQueueWorker({
    redisUrl: options.redisUrl,
    family: 'data',
    concurrency: options.concurrency,
    lockDurationMs: options.lockDurationMs,
    stalledIntervalMs: options.stalledIntervalMs,
    log: options.log,
    onLost: options.onLost,
    handle: async (task): Promise<PartResult> => {
      const job = partJobSchema.parse(task.data) as unknown as PartJob;
      const outcomes: unknown[] = [];
      let records = 0;
      if (job.stage === 'clean') {
        const setup: StepsSetup = { ...job.setup, recipe: parseRecipe(job.setup.recipe, `queue task ${task.id}`) };
        const key = stableHash(setup);
        if (!cleaners.has(key)) cleaners.set(key, instantiate(setup).then((steps) => batchRunner(steps, setup.kind)));
        const run = await cleaners.get(key)!;
        for await (const batch of readParquetRows([job.part])) {
          outcomes.push(run({ records: batch }));
          records += batch.length;
        }
      } else {
        const key = stableHash(job.setup);
        if (!encoders.has(key)) encoders.set(key, createJobEncoder(job.setup));
        const encode = await encoders.get(key)!;
        for await (const batch of readParquetRows([job.part])) {
          outcomes.push(encode(toJob(job.recordKind, batch)));
          records += batch.length;
        }
      }
      await writeFileAtomic(job.staged, serialize(outcomes));
      await task.reportProgress({ records });
      return { batches: outcomes.length, records };
    },
  });
}
