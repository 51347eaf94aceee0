/**
 * Sampling settings → a processor list → one token id. Order as in HF: penalties,
 * then temperature, top-k, top-p, min-p. Temperature 0 is greedy (argmax after the
 * penalties; ties go to the lowest id, as llama2.c's argmax does).
 */
import { z } from 'zod';
import { validateConfig } from '@chainlm/core';
import type { Rng } from './rng.js';
import {
  frequencyPenaltyProcessor, minPProcessor, presencePenaltyProcessor, repetitionPenaltyProcessor, softmax, temperatureProcessor, topKProcessor, topPProcessor,
  type LogitsContext, type LogitsProcessor,
} from './processors.js';

export const samplingOptionsSchema = z.strictObject({
  /** 0 = greedy. Default 1. */
  temperature: z.number().min(0).default(1),
  topK: z.number().int().positive().optional(),
  topP: z.number().gt(0).max(1).optional(),
  minP: z.number().min(0).max(1).optional(),
  /** > 1 discourages repeats (1 = off). */
  repetitionPenalty: z.number().positive().optional(),
  presencePenalty: z.number().min(-2).max(2).optional(),
  frequencyPenalty: z.number().min(-2).max(2).optional(),
  seed: z.number().int().optional(),
});
export type SamplingOptions = z.input<typeof samplingOptionsSchema>;
export type ResolvedSamplingOptions = z.output<typeof samplingOptionsSchema>;

export function resolveSamplingOptions(options: SamplingOptions, source = '<sampling options>'): ResolvedSamplingOptions {
  return validateConfig(options, samplingOptionsSchema, source) as ResolvedSamplingOptions;
}

export function buildLogitsProcessors(options: ResolvedSamplingOptions): LogitsProcessor[] {
  const processors: LogitsProcessor[] = [];
  if (options.repetitionPenalty !== undefined && options.repetitionPenalty !== 1) processors.push(repetitionPenaltyProcessor(options.repetitionPenalty));
  if (options.presencePenalty) processors.push(presencePenaltyProcessor(options.presencePenalty));
  if (options.frequencyPenalty) processors.push(frequencyPenaltyProcessor(options.frequencyPenalty));
  if (options.temperature === 0) return processors;
  if (options.temperature !== 1) processors.push(temperatureProcessor(options.temperature));
  if (options.topK !== undefined) processors.push(topKProcessor(options.topK));
  if (options.topP !== undefined && options.topP < 1) processors.push(topPProcessor(options.topP));
  if (options.minP) processors.push(minPProcessor(options.minP));
  return processors;
}

export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let index = 1; index < logits.length; index++) if (logits[index]! > logits[best]!) best = index;
  return best;
}

/** Draws from softmax(logits) with one uniform from the rng. */
export function sampleFromLogits(logits: Float32Array, rng: Rng): number {
  const probabilities = softmax(logits);
  const target = rng.next();
  let cumulative = 0;
  let last = 0;
  for (let index = 0; index < probabilities.length; index++) {
    if (probabilities[index]! === 0) continue;
    last = index;
    cumulative += probabilities[index]!;
    if (target < cumulative) return index;
  }
  return last; // rounding left the cumulative sum a hair under 1
}

/** Applies the processors (in place) and picks the next token. */
export function nextToken(logits: Float32Array, processors: readonly LogitsProcessor[], context: LogitsContext, greedy: boolean, rng: Rng): number {
  for (const processor of processors) processor(logits, context);
  return greedy ? argmax(logits) : sampleFromLogits(logits, rng);
}
