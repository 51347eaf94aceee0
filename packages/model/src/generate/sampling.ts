/**
 * Sampling settings → a processor list → one token id. Order as in HF: penalties,
 * then temperature, top-k, top-p, min-p. Temperature 0 is greedy (argmax after the
 * penalties; ties go to the lowest id, as llama2.c's argmax does).
 *
 * One set of rules for every sampler: `generate` runs this list; the engine's
 * per-request SamplingParams extend this schema and run the same penalty processors,
 * argmax, warpers and draw — except that with top-k, top-p or min-p on it runs
 * temperature and the filters as one fused candidate pass (engine
 * sampling/sampler.ts, filterCandidates), tested to keep exactly the ids this list
 * keeps. Measured on 32 000-entry peaked rows, that pass is 20–300x faster than this
 * list, which sorts the vocabulary (docs/benchmarks/sampling.md); for plain
 * temperature this list is the faster one (the fused pass: 0.13–0.31x).
 */
import { z } from 'zod';
import { validateConfig } from '@chainlm/core';
import type { Rng } from './rng.js';
import {
  frequencyPenaltyProcessor, minPProcessor, presencePenaltyProcessor, repetitionPenaltyProcessor, softmax, temperatureProcessor, topKProcessor, topPProcessor,
  type LogitsContext, type LogitsProcessor,
} from './processors.js';

/** The sampling rules (camelCase; servers map OpenAI's names onto them). Each default switches its rule off. */
export const samplingOptionsSchema = z.strictObject({
  /** 0 = greedy (argmax). Default 1. */
  temperature: z.number().min(0).default(1),
  /** Keep the k most likely tokens (ties with the k-th kept, as in HF); 0 = off. */
  topK: z.number().int().min(0).default(0),
  /** Nucleus: keep the smallest most-likely set whose probability reaches topP; 1 = off. */
  topP: z.number().gt(0).max(1).default(1),
  /** Drop tokens less likely than minP × the most likely one; 0 = off. */
  minP: z.number().min(0).max(1).default(0),
  /** HF/CTRL style over prompt and output tokens: > 1 discourages repeats (1 = off). */
  repetitionPenalty: z.number().positive().default(1),
  /** OpenAI style, over output tokens: subtract presencePenalty once and frequencyPenalty × count. */
  presencePenalty: z.number().min(-2).max(2).default(0),
  frequencyPenalty: z.number().min(-2).max(2).default(0),
  /** Same seed, same prompt, same settings → same tokens. */
  seed: z.number().int().optional(),
});
export type SamplingOptions = z.input<typeof samplingOptionsSchema>;
export type ResolvedSamplingOptions = z.output<typeof samplingOptionsSchema>;

export function resolveSamplingOptions(options: SamplingOptions, source = '<sampling options>'): ResolvedSamplingOptions {
  return validateConfig(options, samplingOptionsSchema, source) as ResolvedSamplingOptions;
}

type PenaltyOptions = Pick<ResolvedSamplingOptions, 'repetitionPenalty' | 'presencePenalty' | 'frequencyPenalty'>;
type WarperOptions = Pick<ResolvedSamplingOptions, 'temperature' | 'topK' | 'topP' | 'minP'>;

/** The penalties that are on, in order (they apply before greedy's argmax too). */
export function buildPenaltyProcessors(options: PenaltyOptions): LogitsProcessor[] {
  const processors: LogitsProcessor[] = [];
  if (options.repetitionPenalty !== 1) processors.push(repetitionPenaltyProcessor(options.repetitionPenalty));
  if (options.presencePenalty) processors.push(presencePenaltyProcessor(options.presencePenalty));
  if (options.frequencyPenalty) processors.push(frequencyPenaltyProcessor(options.frequencyPenalty));
  return processors;
}

/** Temperature, top-k, top-p and min-p that are on, in order (none when greedy). */
export function buildWarpers(options: WarperOptions): LogitsProcessor[] {
  const processors: LogitsProcessor[] = [];
  if (options.temperature === 0) return processors;
  if (options.temperature !== 1) processors.push(temperatureProcessor(options.temperature));
  if (options.topK > 0) processors.push(topKProcessor(options.topK));
  if (options.topP < 1) processors.push(topPProcessor(options.topP));
  if (options.minP > 0) processors.push(minPProcessor(options.minP));
  return processors;
}

export function buildLogitsProcessors(options: PenaltyOptions & WarperOptions): LogitsProcessor[] {
  return [...buildPenaltyProcessors(options), ...buildWarpers(options)];
}

export function argmax(logits: Float32Array): number {
  let best = 0;
  for (let index = 1; index < logits.length; index++) if (logits[index]! > logits[best]!) best = index;
  return best;
}

/** Draws from softmax(logits) with one uniform from the rng. */
export function sampleFromLogits(logits: Float32Array, rng: Pick<Rng, 'next'>): number {
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
