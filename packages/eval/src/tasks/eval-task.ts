/**
 * The evaluation task of one model × dataset: post-process predictions (and
 * references), run the evaluator, return the result with its details.
 */
import { createComponent } from '../config/component.js';
import type { DatasetConfig } from '../config/dataset-config.js';
import { evaluators, type EvalSample, type Evaluator } from '../evaluators/evaluator.js';
import { postprocessors, type Postprocess } from '../postprocessors/postprocessor.js';
import type { EvalResult, PredictionRecord, Row } from '../types.js';

export async function runEvalTask(dataset: DatasetConfig, records: readonly PredictionRecord[], test: readonly Row[]): Promise<EvalResult> {
  const identity: Postprocess = (text) => text;
  const predPost = dataset.eval.predPostprocessor ? createComponent<Postprocess, void>(postprocessors, dataset.eval.predPostprocessor, undefined) : identity;
  const referencePost = dataset.eval.referencePostprocessor
    ? createComponent<Postprocess, void>(postprocessors, dataset.eval.referencePostprocessor, undefined)
    : undefined;
  const evaluator = createComponent<Evaluator, void>(evaluators, dataset.eval.evaluator, undefined);
  const samples: EvalSample[] = records.map((record) => ({
    index: record.index,
    prediction: record.predictions ? record.predictions.map(predPost) : record.prediction === null ? null : predPost(record.prediction),
    reference: referencePost && typeof record.reference === 'string' ? referencePost(record.reference) : record.reference,
    record,
    row: test[record.index],
  }));
  return evaluator.evaluate(samples);
}
