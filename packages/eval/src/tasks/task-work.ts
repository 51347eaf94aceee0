/**
 * The work of each task kind, one function each, called by the local runner
 * in-process and by `chainlm-eval worker` on a queue task: the same code, so a
 * queue run and a local run of the same config give the same predictions and
 * scores.
 */
import type { TaskHandle } from '@chainlm/core';
import type { RunConfig } from '../config/run-config.js';
import type { EvalModel } from '../models/eval-model.js';
import type { InferTaskSpec } from '../partitioner/partition.js';
import type { LoadedDataset } from '../run/load-datasets.js';
import type { EvalResult, PredictionRecord } from '../types.js';
import { runEvalTask } from './eval-task.js';
import { runInferTask, type InferTaskOutput } from './infer-task.js';

export function inferShard(spec: InferTaskSpec, config: RunConfig, dataset: LoadedDataset, model: EvalModel, file: string, progress: TaskHandle | undefined): Promise<InferTaskOutput> {
  return runInferTask({
    spec,
    dataset: dataset.config,
    promptHash: dataset.promptHash,
    test: dataset.test,
    train: dataset.train,
    model,
    retriever: dataset.retriever,
    inferencer: dataset.inferencer,
    saveEvery: config.runner.saveEvery,
    file,
    progress,
  });
}

/** Scores one model × dataset from the records of all its shards (in index order). */
export function evaluateDataset(dataset: LoadedDataset, records: readonly PredictionRecord[]): Promise<EvalResult> {
  return runEvalTask(dataset.config, records, dataset.test);
}

/** The predictions file stem of a shard: its id without the `<model>/` prefix. */
export const shardStem = (spec: InferTaskSpec) => spec.id.slice(spec.model.length + 1);
