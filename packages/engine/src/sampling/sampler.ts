/**
 * Samples one token from one logits row, host-side (logits arrive as one [rows,
 * vocab] download per step; per-request rules then cost no tensor ops). Rules, each
 * one step, in this order: repetition penalty → presence/frequency penalties →
 * (greedy: argmax) → temperature → top-k → top-p → min-p → draw.
 * Logprobs are of the model's raw distribution (before any rule), as vLLM reports.
 */
import { logSumExp, topEntries, topLogprobs, type TokenLogprob } from './logprobs.js';
import type { SamplingParams } from './sampling-params.js';

export interface RandomSource {
  /** Uniform in [0, 1). */
  next(): number;
}

export interface SampleContext {
  /** Prompt + generated tokens so far (repetition penalty). */
  tokenIds: readonly number[];
  promptLength: number;
}

export interface SampledToken {
  tokenId: number;
  /** log p(token) under the raw distribution; present when params.logprobs is set (it costs a pass of exp over the vocabulary). */
  logprob?: number;
  /** Present when params.logprobs ≥ 1. */
  topLogprobs?: TokenLogprob[];
}

export function applyPenalties(logits: Float32Array, params: SamplingParams, context: SampleContext): void {
  if (params.repetitionPenalty !== 1) {
    const seen = new Set(context.tokenIds);
    for (const id of seen) logits[id] = logits[id] > 0 ? logits[id] / params.repetitionPenalty : logits[id] * params.repetitionPenalty;
  }
  if (params.presencePenalty !== 0 || params.frequencyPenalty !== 0) {
    const counts = new Map<number, number>();
    for (let index = context.promptLength; index < context.tokenIds.length; index++) counts.set(context.tokenIds[index], (counts.get(context.tokenIds[index]) ?? 0) + 1);
    for (const [id, count] of counts) logits[id] -= params.presencePenalty + params.frequencyPenalty * count;
  }
}

export function argmax(row: Float32Array): number {
  let best = 0;
  for (let index = 1; index < row.length; index++) if (row[index] > row[best]) best = index;
  return best;
}

/** Candidate ids, most likely first, after top-k / top-p / min-p; with their unnormalized probabilities. */
export function filterCandidates(logits: Float32Array, params: SamplingParams): { ids: number[]; weights: number[] } {
  const needSorted = params.topK > 0 || params.topP < 1;
  const ids = params.topK > 0 && params.topK < logits.length ? topEntries(logits, params.topK) : needSorted ? sortedIds(logits) : Array.from(logits.keys());
  const max = needSorted ? logits[ids[0]] : logits[argmax(logits)];
  let weights = ids.map((id) => Math.exp((logits[id] - max) / params.temperature));
  let keep = ids.length;
  if (params.topP < 1) {
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    let cumulative = 0;
    for (keep = 0; keep < ids.length; ) {
      cumulative += weights[keep++];
      if (cumulative >= params.topP * total) break;
    }
  }
  let keptIds = ids.slice(0, keep);
  weights = weights.slice(0, keep);
  if (params.minP > 0) {
    const threshold = params.minP * Math.max(...weights);
    keptIds = keptIds.filter((_, index) => weights[index] >= threshold);
    weights = weights.filter((weight) => weight >= threshold);
  }
  return { ids: keptIds, weights };
}

function sortedIds(logits: Float32Array): number[] {
  return Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a] || a - b);
}

export function sampleRow(raw: Float32Array, params: SamplingParams, context: SampleContext, random: RandomSource): SampledToken {
  const penalized = params.repetitionPenalty !== 1 || params.presencePenalty !== 0 || params.frequencyPenalty !== 0;
  const logits = penalized ? Float32Array.from(raw) : raw; // only penalties write
  if (penalized) applyPenalties(logits, params, context);
  let tokenId: number;
  if (params.temperature === 0) {
    tokenId = argmax(logits);
  } else {
    const { ids, weights } = filterCandidates(logits, params);
    const total = weights.reduce((sum, weight) => sum + weight, 0);
    let target = random.next() * total;
    tokenId = ids[ids.length - 1];
    for (let index = 0; index < ids.length; index++) {
      target -= weights[index];
      if (target < 0) {
        tokenId = ids[index];
        break;
      }
    }
  }
  if (params.logprobs === undefined) return { tokenId };
  const normalizer = logSumExp(raw);
  const sampled: SampledToken = { tokenId, logprob: raw[tokenId] - normalizer };
  if (params.logprobs > 0) sampled.topLogprobs = topLogprobs(raw, params.logprobs, normalizer);
  return sampled;
}
