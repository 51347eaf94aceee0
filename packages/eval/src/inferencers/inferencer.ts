/**
 * Inferencers turn prepared items (prompt + candidate answers) into predictions
 * with one model call per batch: `gen` generates, `ppl` scores each candidate by
 * log-likelihood, `clp` compares single-token choices, `ll` scores a whole text
 * (perplexity). They never touch files; the infer task saves and resumes.
 */
import type { ComponentSpec } from '../config/component.js';
import type { EvalModel } from '../models/eval-model.js';
import { NamedRegistry } from '../registry.js';
import type { PredictionRecord, Row } from '../types.js';

export interface Candidate {
  /** What the prediction will be if this candidate wins, e.g. "B". */
  label: string;
  /** The text scored after the prompt, e.g. " Paris". */
  continuation: string;
}

export interface InferItem {
  index: number;
  row: Row;
  prompt: string;
  candidates?: Candidate[];
  reference: unknown;
}

export interface Inferencer {
  /** Shown as `mode` in summaries. */
  readonly mode: string;
  /** Whether items need candidates (promptTemplate.candidates or choicesColumn). */
  readonly needsCandidates: boolean;
  infer(items: readonly InferItem[], model: EvalModel): Promise<PredictionRecord[]>;
}

export type InferencerSpec<O extends { type: string }> = ComponentSpec<O, Inferencer>;

export const inferencers = new NamedRegistry<InferencerSpec<any>>('inferencer');

/**
 * Index of the highest score; ties go to the earliest candidate (declaration
 * order, i.e. A before B), so a model that cannot tell options apart always
 * answers the first one and the result is reproducible.
 */
export function argmaxFirst(scores: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return best;
}
