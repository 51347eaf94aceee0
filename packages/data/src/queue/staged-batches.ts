/**
 * The coordinator's side of a record-wise stage on queue workers: one task per
 * input part on the run's queue (family `data`), then the parts' records and
 * the workers' staged outcomes, batch by batch, in stored order — the same
 * sequence the local run feeds its in-order half. A batch whose record count
 * differs from its staged outcome fails the run (the part changed under it).
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import { ChainlmError, stableHash, type ChainlmHome, type EventBus } from '@chainlm/core';
import { QueueError, RunQueue } from '@chainlm/queue';
import type { StoredRecord } from '../records/kinds.js';
import { datasetFolder, readDataset } from '../store/dataset-store.js';
import { readParquetRows } from '../store/read-records.js';
import type { PartJob, PartResult } from './part-jobs.js';

export interface DataQueueOptions {
  /** Redis of the queue, e.g. redis://127.0.0.1:6379. */
  redisUrl: string;
  /** Tries per part before the stage fails. */
  attempts?: number;
}

type Work = { stage: 'clean'; setup: Extract<PartJob, { stage: 'clean' }>['setup'] } | { stage: 'encode'; setup: Extract<PartJob, { stage: 'encode' }>['setup']; recordKind: string };

export async function* stagedBatches<Outcome>(home: ChainlmHome, input: string, work: Work, queue: DataQueueOptions, events?: EventBus): AsyncGenerator<{ records: StoredRecord[]; outcome: Outcome }> {
  const manifest = await readDataset(home, input);
  const folder = datasetFolder(home, input);
  const parts = manifest.parts.map((part) => join(folder, part));
  const runId = `${work.stage}-${input}-${stableHash({ parts, updatedAt: manifest.updatedAt, work }).slice(0, 10)}`;
  const stagingDir = home.path('cache', 'data-queue', runId);
  mkdirSync(stagingDir, { recursive: true });
  const staged = (index: number) => join(stagingDir, `part-${String(index).padStart(5, '0')}.v8`);
  let runQueue: RunQueue;
  try {
    runQueue = await RunQueue.open({ redisUrl: queue.redisUrl, family: 'data', runId, attempts: queue.attempts ?? 3 });
  } catch (error) {
    if (error instanceof QueueError) throw new ChainlmError('data-queue', error.message, { hint: error.hint, exitCode: error.exitCode, cause: error });
    throw error;
  }
  try {
    const progress = events?.task(`${work.stage} ${input} on queue workers`, { total: parts.length, unit: 'parts' });
    // A part staged by an earlier, interrupted run of the same stage is not sent again.
    const tasks = parts
      .map((part, index) => ({ id: `part-${String(index).padStart(5, '0')}`, name: work.stage, data: { ...work, part, staged: staged(index) } as PartJob }))
      .filter((_, index) => !existsSync(staged(index)));
    const outcomes = await runQueue.run<PartJob, PartResult>(tasks, { onProgress: () => undefined });
    const failed = outcomes.filter((outcome) => !outcome.ok);
    if (failed.length > 0) {
      await runQueue.finish('failed');
      progress?.fail(new Error(`${failed.length} part(s) failed`));
      throw new ChainlmError('data-queue', `${failed.length} of ${parts.length} part(s) of ${input} failed on the queue workers:\n  ${failed.map((outcome) => `${outcome.id}: ${(outcome as { error: Error }).error.message}`).join('\n  ')}`, {
        hint: 'fix the cause and run the same command again: parts already done are not sent again',
      });
    }
    await runQueue.finish('done');
    progress?.finish({ parts: parts.length });
  } finally {
    await runQueue.close();
  }
  for (const [index, part] of parts.entries()) {
    const outcomes = deserialize(readFileSync(staged(index))) as Outcome[];
    let batch = 0;
    for await (const records of readParquetRows([part])) {
      const outcome = outcomes[batch++];
      if (outcome === undefined || countOf(outcome) !== records.length) {
        throw new ChainlmError('data-queue', `${part}: batch ${batch} has ${records.length} records but the worker staged ${outcome === undefined ? 'no outcome' : countOf(outcome)} for it`, { hint: 'the part changed while the stage ran; run the command again' });
      }
      yield { records, outcome };
    }
  }
  rmSync(stagingDir, { recursive: true, force: true });
}

/** Records an outcome covers: a clean BatchOutcome's droppedAt, an EncodedBatch's offsets − 1. */
function countOf(outcome: unknown): number {
  const value = outcome as { droppedAt?: Int32Array; offsets?: Int32Array };
  return value.droppedAt ? value.droppedAt.length : value.offsets!.length - 1;
}
