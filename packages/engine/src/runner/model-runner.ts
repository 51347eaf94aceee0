/**
 * The runner executes one scheduler output: applies copy-on-write block copies,
 * flattens the step's new tokens (decodes first, then prefill chunks, as the
 * scheduler listed them) into one forward, reads back only the logits rows that
 * are needed, and samples per request. It owns no scheduling state.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { KvStore } from '../kv/kv-store.js';
import type { AdapterRegistry } from '../lora/adapter-registry.js';
import { PagedAttentionBackend } from '../kv/paged-attention.js';
import { buildStepLayout } from '../kv/step-layout.js';
import type { StepModel } from '../model-contract.js';
import { logSumExp, topLogprobs, type TokenLogprob } from '../sampling/logprobs.js';
import { sampleRow, type RandomSource, type SampledToken } from '../sampling/sampler.js';
import type { SamplingParams } from '../sampling/sampling-params.js';
import type { SchedulerOutput, ScheduledSequence } from '../scheduler/scheduler.js';
import type { Sequence } from '../scheduler/sequence.js';

export interface SequenceRequest {
  params: SamplingParams;
  /** The random source of sample `index` of this request. */
  random(index: number): RandomSource;
  wantsPromptLogprobs: boolean;
  /** The row sample `index` samples from, when the request constrains its tokens. */
  constrain?(index: number, logits: Float32Array): Float32Array;
}

export interface PromptLogprob {
  /** Position of the prompt token (≥ 1). */
  position: number;
  tokenId: number;
  logprob: number;
  top: TokenLogprob[];
}

export interface SequenceResult {
  sampled: SampledToken[];
  promptLogprobs: PromptLogprob[];
}

/**
 * One attention group's fixed cost in query·key pairs: ~15 small ops per group and
 * layer at ~12 µs each (~180 µs) against batched attention's ~2 GFLOP/s on wasm at
 * 4·H·D flops per pair — 90 000 / (H·D) pairs (tiny: ~700, s15: ~310).
 */
export function groupCostPairs(numHeads: number, headDim: number): number {
  return Math.round(90_000 / (numHeads * headDim));
}

/** Rows in attention order: equal chunk lengths together, shortest context first (stable), so layout splits cut little padding. */
export function attentionOrder(sequences: readonly ScheduledSequence[]): ScheduledSequence[] {
  return sequences
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.numTokens - b.entry.numTokens || a.entry.start - b.entry.start || a.index - b.index)
    .map(({ entry }) => entry);
}

interface RowPlan {
  entry: ScheduledSequence;
  /** Index into the downloaded logits of this sequence's first requested row. */
  firstLogitRow: number;
  /** Rows of the chunk whose logits were requested: all (prompt logprobs) or the last. */
  allRows: boolean;
}

export class ModelRunner {
  readonly attention: PagedAttentionBackend;
  /** LoRA adapters the step's sequences may name (none: base only). */
  adapters: AdapterRegistry | undefined;

  constructor(
    readonly model: StepModel,
    readonly store: KvStore,
    readonly blockSize: number,
  ) {
    this.attention = new PagedAttentionBackend(store, model.config.numHeads);
  }

  async execute(output: SchedulerOutput, lookup: (sequence: Sequence) => SequenceRequest): Promise<Map<number, SequenceResult>> {
    this.store.copyBlocks(output.blockCopies);
    const entries = attentionOrder(output.sequences);
    const numRows = output.numBatchedTokens;
    const tokenIds = new Int32Array(numRows);
    const positions = new Int32Array(numRows);
    const logitRows: number[] = [];
    const plans: RowPlan[] = [];
    let row = 0;
    for (const entry of entries) {
      const { sequence, start, numTokens } = entry;
      for (let index = 0; index < numTokens; index++) {
        tokenIds[row + index] = sequence.tokenIds[start + index];
        positions[row + index] = start + index;
      }
      const request = lookup(sequence);
      const allRows = request.wantsPromptLogprobs && start < sequence.promptLength;
      if (allRows || entry.sampleCount > 0) {
        plans.push({ entry, firstLogitRow: logitRows.length, allRows });
        if (allRows) for (let index = 0; index < numTokens; index++) logitRows.push(row + index);
        else logitRows.push(row + numTokens - 1);
      }
      row += numTokens;
    }
    // A step of mid-prefill chunks only still runs (it fills the cache); one row keeps forwardStep's contract.
    const logits = await this.forward(entries, output.blockCopies, tokenIds, positions, Int32Array.from(logitRows.length > 0 ? logitRows : [numRows - 1]));
    const vocab = this.model.config.vocabSize;
    const results = new Map<number, SequenceResult>();
    for (const plan of plans) {
      const { sequence, numTokens, start, sampleCount } = plan.entry;
      const request = lookup(sequence);
      const rowView = (offset: number) => logits.subarray((plan.firstLogitRow + offset) * vocab, (plan.firstLogitRow + offset + 1) * vocab);
      const result: SequenceResult = { sampled: [], promptLogprobs: [] };
      if (plan.allRows) result.promptLogprobs = this.promptLogprobs(sequence, start, numTokens, rowView, request.params.promptLogprobs ?? 0);
      if (sampleCount > 0) {
        const last = rowView(plan.allRows ? numTokens - 1 : 0);
        for (let index = 0; index < sampleCount; index++) {
          const sampleIndex = index === 0 ? sequence.sampleIndex : index;
          const row = request.constrain ? request.constrain(sampleIndex, last) : last;
          result.sampled.push(sampleRow(row, request.params, sequence, request.random(sampleIndex)));
        }
      }
      results.set(sequence.id, result);
    }
    return results;
  }

  private async forward(entries: readonly ScheduledSequence[], blockCopies: SchedulerOutput['blockCopies'], tokenIds: Int32Array, positions: Int32Array, logitRows: Int32Array): Promise<Float32Array> {
    const { numHeads, numKvHeads, headDim } = this.model.config;
    const layout = buildStepLayout(
      entries.map((entry) => ({ start: entry.start, numTokens: entry.numTokens, blockTable: entry.blockTable })),
      this.blockSize,
      numHeads / numKvHeads,
      groupCostPairs(numHeads, headDim),
    );
    this.attention.beginStep(layout, blockCopies);
    let logits: tfTypes.Tensor2D | undefined;
    try {
      const lora = this.adapters?.stepLora(entries.map((entry) => [entry.sequence.adapterId, entry.numTokens] as const));
      logits = this.model.forward({ tokenIds, positions, attention: this.attention, logitRows, ...(lora ? { lora } : {}) });
      return (await logits.data()) as Float32Array;
    } finally {
      logits?.dispose();
      this.attention.endStep();
    }
  }

  /** Row r of the chunk (position start + r) predicts the prompt token at start + r + 1. */
  private promptLogprobs(sequence: Sequence, start: number, numTokens: number, rowView: (offset: number) => Float32Array, top: number): PromptLogprob[] {
    const out: PromptLogprob[] = [];
    for (let offset = 0; offset < numTokens; offset++) {
      const position = start + offset + 1;
      if (position >= sequence.promptLength) break;
      const rowLogits = rowView(offset);
      const normalizer = logSumExp(rowLogits);
      const tokenId = sequence.tokenIds[position];
      out.push({ position, tokenId, logprob: rowLogits[tokenId] - normalizer, top: topLogprobs(rowLogits, top, normalizer) });
    }
    return out;
  }
}
