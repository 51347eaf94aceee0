/**
 * Evaluators score post-processed predictions against references and return
 * `{ score, metric, details[] }` with one detail per sample (prediction,
 * reference, correct and/or a per-sample score). Accuracy-like metrics are
 * percentages (0–100), as in OpenCompass summaries.
 */
import type { ComponentSpec } from '../config/component.js';
import { NamedRegistry } from '../registry.js';
import type { EvalResult, PredictionRecord, Row } from '../types.js';

export interface EvalSample {
  index: number;
  /** Post-processed prediction; gen with n > 1 gives every sample. */
  prediction: string | string[] | null;
  /** Post-processed reference. */
  reference: unknown;
  record: PredictionRecord;
  row: Row;
}

export interface Evaluator {
  readonly metric: string;
  evaluate(samples: readonly EvalSample[]): Promise<EvalResult>;
}

export type EvaluatorSpec<O extends { type: string }> = ComponentSpec<O, Evaluator>;

export const evaluators = new NamedRegistry<EvaluatorSpec<any>>('evaluator');

/** Percentage of true values; 0 for an empty list. */
export function percent(flags: readonly boolean[]): number {
  return flags.length === 0 ? 0 : (100 * flags.filter(Boolean).length) / flags.length;
}

export function firstPrediction(prediction: EvalSample['prediction']): string {
  if (Array.isArray(prediction)) return prediction[0] ?? '';
  return prediction ?? '';
}
