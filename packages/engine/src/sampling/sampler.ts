/**
 * Samples one token from one logits row, host-side (logits arrive as one [rows,
 * vocab] download per step; per-request rules then cost no tensor ops). Rules, each
 * one step, in this order: repetition penalty → presence/frequency penalties →
 * (greedy: argmax) → temperature → top-k → top-p → min-p → draw.
 * Logprobs are of the model's raw distribution (before any rule), as vLLM reports.
 *
 * The rules are @chainlm/model's (generate/processors.ts, one schema: SamplingParams
 * extends its samplingOptionsSchema): the penalties, argmax, plain temperature and
 * the draw are its processors. With top-k, top-p or min-p on, temperature and the
 * filters run here as one fused candidate pass (filterCandidates), tested to keep
 * exactly the ids the model's processor list keeps (sampler.test.ts) — kept because
 * it is measured faster there: see usesFusedPass and docs/benchmarks/sampling.md
 * (`node packages/engine/dist/bench/sampling-bench.js`).
 */
import { argmax, buildPenaltyProcessors, buildWarpers, sampleFromLogits } from '@chainlm/model';
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

/** The model's penalty processors, in place (repetition over prompt + output, presence/frequency over output). */
export function applyPenalties(logits: Float32Array, params: SamplingParams, context: SampleContext): void {
  const processorContext = { ids: context.tokenIds, promptLength: context.promptLength };
  for (const processor of buildPenaltyProcessors(params)) processor(logits, processorContext);
}

/**
 * Candidate ids after top-k / top-p / min-p, with their unnormalized probabilities
 * exp((logit − max) / T); most likely first whenever top-k or top-p is set.
 *
 * Hot path (once per sampled sequence per step, vocabularies of 32 000): top-p
 * without top-k used to sort the whole vocabulary (~16 ms a row on this machine, i.e.
 * ~0.5 s per step at 32 sequences against a ~60 ms forward). The nucleus is a
 * most-likely prefix: a top-64 prefix when that holds p of the full mass (summed once
 * over the vocabulary), else a native typed-array sort — the same ids, in the same
 * order (ties: lower id first), as the comparator sort.
 */
export function filterCandidates(logits: Float32Array, params: SamplingParams): { ids: number[]; weights: number[] } {
  const temperature = params.temperature;
  const max = logits[argmax(logits)];
  let ids: number[];
  let mass: number | undefined; // Σ weights of every candidate before the top-p cut, when ids is only a prefix
  if (params.topK > 0 && params.topK < logits.length) ids = withTies(logits, topEntries(logits, params.topK));
  else if (params.topP < 1) ({ ids, mass } = nucleusPrefix(logits, params.topP, temperature, max));
  else if (params.minP > 0) ids = aboveMinP(logits, params.minP, temperature, max);
  else ids = allIds(logits.length);
  let weights = ids.map((id) => Math.exp((logits[id] - max) / temperature));
  let keep = ids.length;
  if (params.topP < 1) {
    const total = mass ?? weights.reduce((sum, weight) => sum + weight, 0);
    let cumulative = 0;
    for (keep = 0; keep < ids.length; ) {
      cumulative += weights[keep++];
      if (cumulative >= params.topP * total) break;
    }
  }
  let keptIds = keep === ids.length ? ids : ids.slice(0, keep);
  weights = keep === weights.length ? weights : weights.slice(0, keep);
  if (params.minP > 0) {
    let best = 0;
    for (const weight of weights) if (weight > best) best = weight;
    const threshold = params.minP * best;
    keptIds = keptIds.filter((_, index) => weights[index] >= threshold);
    weights = weights.filter((weight) => weight >= threshold);
  }
  return { ids: keptIds, weights };
}

/** Top-k keeps the ties of the k-th logit too (HF's rule, the model's topKProcessor): appended, ascending id. */
function withTies(logits: Float32Array, ids: number[]): number[] {
  const threshold = logits[ids[ids.length - 1]];
  let inside = 0;
  for (const id of ids) if (logits[id] === threshold) inside++;
  let everywhere = 0;
  for (let index = 0; index < logits.length; index++) if (logits[index] === threshold) everywhere++;
  if (everywhere === inside) return ids;
  const kept = new Set(ids);
  for (let index = 0; index < logits.length; index++) if (logits[index] === threshold && !kept.has(index)) ids.push(index);
  return ids;
}

/**
 * Ids that can pass min-p: the best kept weight is always the maximum's, exp(0) = 1,
 * so weight ≥ minP ⟺ logit ≥ max + T·ln(minP). A hair looser here; the exact weight
 * test in filterCandidates decides.
 */
function aboveMinP(logits: Float32Array, minP: number, temperature: number, max: number): number[] {
  const cutoff = max + temperature * (Math.log(minP) - 1e-6);
  const ids: number[] = [];
  for (let index = 0; index < logits.length; index++) if (logits[index] >= cutoff) ids.push(index);
  return ids;
}

function allIds(size: number): number[] {
  const ids = new Array<number>(size);
  for (let index = 0; index < size; index++) ids[index] = index;
  return ids;
}

/** The most likely ids, in order, up to at least the top-p cut; and the vocabulary's total weight. */
function nucleusPrefix(logits: Float32Array, topP: number, temperature: number, max: number): { ids: number[]; mass: number } {
  let mass = 0;
  for (let index = 0; index < logits.length; index++) mass += Math.exp((logits[index] - max) / temperature);
  // A peaked row's nucleus fits in 64 entries (topEntries: one O(V) pass); a flat one
  // (e.g. random weights) spans most of the vocabulary, where larger top-k prefixes
  // (O(V·count) insertions) cost more than the native sort.
  if (logits.length > 64) {
    const ids = topEntries(logits, 64);
    let cumulative = 0;
    for (const id of ids) {
      cumulative += Math.exp((logits[id] - max) / temperature);
      if (cumulative >= topP * mass) return { ids, mass };
    }
  }
  return { ids: sortedIds(logits), mass };
}

/**
 * Ids by descending logit, ties lower id first. A comparator sort of 32 000 ids costs
 * ~15 ms; instead each entry becomes one float64 key — the logit's bits made
 * order-preserving (flipped for descending), times 2¹⁶, plus the id (48 bits, exact)
 * — and the typed array sorts natively. Vocabularies over 2¹⁶ use the comparator.
 */
function sortedIds(logits: Float32Array): number[] {
  if (logits.length > 65_536) return allIds(logits.length).sort((a, b) => logits[b] - logits[a] || a - b);
  const bits = new Uint32Array(logits.buffer, logits.byteOffset, logits.length);
  const keys = new Float64Array(logits.length);
  for (let index = 0; index < logits.length; index++) {
    const raw = bits[index];
    const ascending = raw & 0x80000000 ? ~raw >>> 0 : (raw | 0x80000000) >>> 0; // float order as unsigned order
    keys[index] = (0xffffffff - ascending) * 65_536 + index;
  }
  keys.sort();
  const ids = new Array<number>(logits.length);
  for (let index = 0; index < logits.length; index++) ids[index] = keys[index] % 65_536;
  return ids;
}

/**
 * Whether sampleRow draws through the fused candidate pass: when top-k, top-p or
 * min-p is on. Measured on 32 000-entry rows (docs/benchmarks/sampling.md, two runs
 * on a shared 2-core machine): on peaked rows — a trained model's — the fused pass
 * is 20–300x faster than the processor list (which sorts the vocabulary for
 * top-k/top-p); on flat rows (random weights) top-k stays 25–110x faster while top-p
 * is 0.8–1.5x and min-p 0.2–0.25x. Plain temperature runs the model's processors:
 * the fused pass is 0.13–0.31x there.
 */
export function usesFusedPass(params: SamplingParams, vocabSize: number): boolean {
  return (params.topK > 0 && params.topK < vocabSize) || params.topP < 1 || params.minP > 0;
}

/** Temperature/top-k/top-p/min-p and the draw, fused (filterCandidates). */
export function sampleFused(logits: Float32Array, params: SamplingParams, random: RandomSource): number {
  const { ids, weights } = filterCandidates(logits, params);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  let target = random.next() * total;
  for (let index = 0; index < ids.length; index++) {
    target -= weights[index];
    if (target < 0) return ids[index];
  }
  return ids[ids.length - 1];
}

export function sampleRow(raw: Float32Array, params: SamplingParams, context: SampleContext, random: RandomSource): SampledToken {
  const penalized = params.repetitionPenalty !== 1 || params.presencePenalty !== 0 || params.frequencyPenalty !== 0;
  const fused = params.temperature !== 0 && usesFusedPass(params, raw.length);
  const warped = params.temperature !== 0 && !fused;
  // The processors write in place; `raw` is the step's logits (and the logprobs' source).
  const logits = penalized || warped ? Float32Array.from(raw) : raw;
  if (penalized) applyPenalties(logits, params, context);
  let tokenId: number;
  if (params.temperature === 0) {
    tokenId = argmax(logits);
  } else if (fused) {
    tokenId = sampleFused(logits, params, random);
  } else {
    for (const warper of buildWarpers(params)) warper(logits, { ids: context.tokenIds, promptLength: context.promptLength });
    tokenId = sampleFromLogits(logits, random);
  }
  if (params.logprobs === undefined) return { tokenId };
  const normalizer = logSumExp(raw);
  const sampled: SampledToken = { tokenId, logprob: raw[tokenId] - normalizer };
  if (params.logprobs > 0) sampled.topLogprobs = topLogprobs(raw, params.logprobs, normalizer);
  return sampled;
}
