/**
 * The runner contract of an eval run: given the partitioner's inference tasks,
 * then the evaluation groups (a model × dataset with all its shards' records),
 * return one outcome per task. `run-eval.ts` writes every file; a runner only
 * executes. Two runners meet it: the local one (in-process, the default) and
 * the queue one (BullMQ workers, runner/queue-runner.ts).
 */
import type { InferTaskSpec } from '../partitioner/partition.js';
import type { InferTaskOutput } from '../tasks/infer-task.js';
import type { EvalResult, PredictionRecord } from '../types.js';
import type { TaskOutcome } from './local-runner.js';

export interface EvaluateGroup {
  /** `<model>/<dataset>` */
  id: string;
  model: string;
  dataset: string;
  records: PredictionRecord[];
}

export interface EvalRunner {
  infer(specs: readonly InferTaskSpec[]): Promise<TaskOutcome<InferTaskOutput>[]>;
  evaluate(groups: readonly EvaluateGroup[]): Promise<TaskOutcome<EvalResult>[]>;
  /** After the summary is written: `failed` when any task failed. */
  finish(state: 'done' | 'failed'): Promise<void>;
  /** Releases connections; called last, also when the run threw. */
  dispose?(): Promise<void>;
}
