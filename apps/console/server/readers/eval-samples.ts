/**
 * Per-sample drill-down of an eval run: the evaluator's details
 * (results/<model>/<dataset>.json: prediction, reference, correct, score) joined by
 * index with the saved predictions (predictions/<model>/<dataset>[_<shard>].json:
 * the full prompt).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveInside } from '@chainlm/core';
import type { EvalDetail, PredictionRecord } from '@chainlm/eval';

/** The request fields `model` and `dataset` came from, named in a refusal. */
export interface SampleFields {
  model: string;
  dataset: string;
}

export interface EvalSample {
  index: number;
  prompt: string | null;
  prediction: unknown;
  reference: unknown;
  correct: boolean | null;
  score: number | null;
}

export function resultPairs(runDir: string): { model: string; dataset: string }[] {
  const results = join(runDir, 'results');
  if (!existsSync(results)) return [];
  return readdirSync(results).flatMap((model) =>
    readdirSync(join(results, model))
      .filter((file) => file.endsWith('.json'))
      .map((file) => ({ model, dataset: file.slice(0, -'.json'.length) })),
  );
}

function readPrompts(runDir: string, model: string, dataset: string, fields: SampleFields): Map<number, string> {
  const folder = resolveInside(join(runDir, 'predictions'), model, { field: fields.model });
  const prompts = new Map<number, string>();
  if (!existsSync(folder)) return prompts;
  const pattern = new RegExp(`^${dataset.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(_\\d+)?\\.json$`);
  for (const file of readdirSync(folder).filter((name) => pattern.test(name))) {
    const { records } = JSON.parse(readFileSync(join(folder, file), 'utf8')) as { records?: PredictionRecord[] };
    for (const record of records ?? []) prompts.set(record.index, record.prompt);
  }
  return prompts;
}

/** `model` and `dataset` come from a request: they are resolved inside the run folder or refused. */
export function readSamples(runDir: string, model: string, dataset: string, fields: SampleFields = { model: 'model', dataset: 'dataset' }): { samples: EvalSample[]; metric: string; score: number } | undefined {
  const results = resolveInside(join(runDir, 'results'), model, { field: fields.model });
  const file = resolveInside(results, `${dataset}.json`, { field: fields.dataset });
  if (!existsSync(file)) return undefined;
  const result = JSON.parse(readFileSync(file, 'utf8')) as { metric: string; score: number; details: EvalDetail[] };
  const prompts = readPrompts(runDir, model, dataset, fields);
  const samples = result.details.map((detail) => ({
    index: detail.index,
    prompt: prompts.get(detail.index) ?? null,
    prediction: detail.prediction,
    reference: detail.reference,
    correct: typeof detail.correct === 'boolean' ? detail.correct : null,
    score: typeof detail.score === 'number' ? detail.score : null,
  }));
  return { samples, metric: result.metric, score: result.score };
}
