/**
 * One inference task: the items [start, end) of one dataset for one model.
 * Resumes from its predictions file, builds the remaining items, runs the
 * inferencer batch by batch and saves every `saveEvery` new predictions.
 */
import type { TaskHandle } from '@chainlm/core';
import type { DatasetConfig } from '../config/dataset-config.js';
import type { Inferencer } from '../inferencers/inferencer.js';
import type { EvalModel } from '../models/eval-model.js';
import type { InferTaskSpec } from '../partitioner/partition.js';
import type { Retriever } from '../retrievers/retriever.js';
import type { PredictionRecord, Row } from '../types.js';
import { buildItems } from './build-items.js';
import { readPredictions, writePredictions, type PredictionsHeader } from './predictions-file.js';

export interface InferTaskInput {
  spec: InferTaskSpec;
  dataset: DatasetConfig;
  promptHash: string;
  test: readonly Row[];
  train: readonly Row[];
  model: EvalModel;
  retriever: Retriever;
  inferencer: Inferencer;
  saveEvery: number;
  file: string;
  progress?: TaskHandle;
}

export interface InferTaskOutput {
  records: PredictionRecord[];
  /** Items found already saved (resumed) instead of inferred. */
  resumed: number;
}

export async function runInferTask(input: InferTaskInput): Promise<InferTaskOutput> {
  const { spec } = input;
  const header: PredictionsHeader = { task: spec.id, promptHash: input.promptHash, start: spec.start, end: spec.end };
  const records = readPredictions(input.file, header);
  const resumed = records.size;
  const todo: number[] = [];
  for (let index = spec.start; index < spec.end; index++) if (!records.has(index)) todo.push(index);
  input.progress?.update(resumed, resumed > 0 ? `resumed ${resumed}` : undefined);
  const items = await buildItems({
    dataset: input.dataset,
    test: todo.map((index) => input.test[index]),
    indices: todo,
    train: input.train,
    retriever: input.retriever,
    needsCandidates: input.inferencer.needsCandidates,
    model: input.model,
  });
  const batchSize = input.dataset.infer.batchSize;
  let unsaved = 0;
  for (let start = 0; start < items.length; start += batchSize) {
    const batch = items.slice(start, start + batchSize);
    for (const record of await input.inferencer.infer(batch, input.model)) records.set(record.index, record);
    unsaved += batch.length;
    input.progress?.advance(batch.length);
    if (unsaved >= input.saveEvery) {
      await writePredictions(input.file, header, records);
      unsaved = 0;
    }
  }
  await writePredictions(input.file, header, records);
  return { records: [...records.values()].sort((a, b) => a.index - b.index), resumed };
}
