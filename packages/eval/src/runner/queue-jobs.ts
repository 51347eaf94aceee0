/**
 * The wire format of eval tasks on the queue, one owner: what the coordinator
 * puts on a job and what a worker parses before it runs anything. The whole
 * run config travels with each task, so a worker needs nothing but Redis, the
 * model (an endpoint it can reach, or a checkpoint at the same path) and the
 * datasets' files at the same paths; `dataHash` proves the worker loaded the
 * same test and in-context rows as the coordinator.
 */
import { stableHash } from '@chainlm/core';
import { z } from 'zod';
import type { PredictionRecord, Row } from '../types.js';

const specSchema = z.strictObject({
  id: z.string(),
  model: z.string(),
  dataset: z.string(),
  shard: z.number().int().nonnegative(),
  shardCount: z.number().int().positive(),
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
});

const recordSchema = z.looseObject({ index: z.number().int().nonnegative(), prompt: z.string() });

export const inferJobSchema = z.strictObject({
  config: z.record(z.string(), z.unknown()),
  spec: specSchema,
  /** Predictions the coordinator already has for this shard (a resumed run). */
  saved: z.array(recordSchema),
  dataHash: z.string(),
});

export const evaluateJobSchema = z.strictObject({
  config: z.record(z.string(), z.unknown()),
  model: z.string(),
  dataset: z.string(),
  records: z.array(recordSchema),
  dataHash: z.string(),
});

/** As sent; a worker parses it with the schema above (records keep every field). */
export type InferJob = Omit<z.infer<typeof inferJobSchema>, 'saved'> & { saved: PredictionRecord[] };
export type EvaluateJob = Omit<z.infer<typeof evaluateJobSchema>, 'records'> & { records: PredictionRecord[] };

export const dataHash = (dataset: { test: readonly Row[]; train: readonly Row[] }) => stableHash({ test: dataset.test, train: dataset.train }).slice(0, 16);

/** Job ids: one namespace per task kind (a model may be called `eval`). */
export const inferTaskId = (specId: string) => `infer/${specId}`;
export const evaluateTaskId = (groupId: string) => `evaluate/${groupId}`;
