/**
 * Engine-side state of one request: its n samples (tokens, text stream, stop
 * checks, logprobs), its prompt logprobs and its timings. The scheduler only knows
 * sequences; this is where a sequence's new token becomes events.
 */
import { createRng, type Rng } from '@chainlm/model';
import type { SamplingParams } from '../sampling/sampling-params.js';
import type { SampledToken } from '../sampling/sampler.js';
import type { TokenConstraint } from '../sampling/constraint.js';
import type { PromptLogprob, SequenceRequest } from '../runner/model-runner.js';
import type { TokenizerLike } from '../model-contract.js';
import { TextStream } from '../runner/text-stream.js';
import type { CompletionOutput, EngineEvent, FinishReason, GeneratedLogprob, RequestMetrics } from './events.js';

interface SampleState {
  tokenIds: number[];
  text: TextStream | undefined;
  logprobs: GeneratedLogprob[];
  finishReason?: FinishReason;
  stopReason?: string | number;
  rng: Rng;
}

export interface StopRules {
  eosIds: readonly number[];
  maxModelLen: number;
}

export class RequestState implements SequenceRequest {
  readonly samples: SampleState[] = [];
  /** Limits which tokens may come next (JSON mode); none by default. */
  constraint: TokenConstraint | undefined;
  readonly promptLogprobList: PromptLogprob[] = [];
  readonly sequenceIds = new Set<number>();
  readonly arrivalTime = performance.now();
  firstScheduledTime: number | undefined;
  firstTokenTime: number | undefined;
  prefixHitTokens = 0;
  numPreemptions = 0;
  done = false;

  constructor(
    readonly id: string,
    readonly promptTokenIds: readonly number[],
    readonly params: SamplingParams,
    private readonly tokenizer: TokenizerLike | undefined,
    private readonly rules: StopRules,
    private readonly emit: (event: EngineEvent) => void,
  ) {
    const seed = params.seed ?? Math.floor(Math.random() * 2 ** 32);
    for (let index = 0; index < params.n; index++) {
      this.samples.push({ tokenIds: [], text: tokenizer ? new TextStream(tokenizer, params.stop) : undefined, logprobs: [], rng: createRng(seed + index * 0x9e3779b1) });
    }
  }

  get wantsPromptLogprobs(): boolean {
    return this.params.promptLogprobs !== undefined;
  }

  random(index: number): Rng {
    return this.samples[index].rng;
  }

  addPromptLogprobs(entries: readonly PromptLogprob[]): void {
    // After a preemption the prompt is recomputed: keep only positions not yet recorded.
    for (const entry of entries) if (entry.position === this.promptLogprobList.length + 1) this.promptLogprobList.push(entry);
  }

  constrain(index: number, logits: Float32Array): Float32Array {
    return this.constraint ? this.constraint.mask(index, this.samples[index].tokenIds, logits) : logits;
  }

  /** Records a generated token; returns true when this sample is finished. */
  addToken(index: number, sampled: SampledToken): boolean {
    this.firstTokenTime ??= performance.now();
    const sample = this.samples[index];
    const { tokenId } = sampled;
    sample.tokenIds.push(tokenId);
    const logprob = sampled.logprob === undefined ? undefined : { tokenId, logprob: sampled.logprob, ...(sampled.topLogprobs ? { top: sampled.topLogprobs } : {}) };
    if (logprob) sample.logprobs.push(logprob);
    const isEos = !this.params.ignoreEos && this.rules.eosIds.includes(tokenId);
    const pushed = sample.text && !isEos ? sample.text.push(tokenId) : { delta: '' };
    if (pushed.delta || !sample.text) this.emit({ type: 'text-delta', requestId: this.id, index, text: pushed.delta, tokenIds: [tokenId], ...(logprob ? { logprobs: [logprob] } : {}) });
    if (pushed.stoppedBy !== undefined) return this.finishSample(index, 'stop', pushed.stoppedBy);
    if (this.params.stopTokenIds.includes(tokenId)) return this.finishSample(index, 'stop', tokenId);
    if (isEos) return this.finishSample(index, 'stop', tokenId);
    if (sample.tokenIds.length >= this.params.maxTokens) return this.finishSample(index, 'length');
    if (this.promptTokenIds.length + sample.tokenIds.length >= this.rules.maxModelLen) return this.finishSample(index, 'length');
    return false;
  }

  finishSample(index: number, reason: FinishReason, stopReason?: string | number): true {
    const sample = this.samples[index];
    if (sample.finishReason) return true;
    sample.finishReason = reason;
    sample.stopReason = stopReason;
    if (sample.text && reason !== 'stop') {
      const tail = sample.text.flush();
      if (tail.delta) this.emit({ type: 'text-delta', requestId: this.id, index, text: tail.delta, tokenIds: [] });
    }
    if (this.samples.every((candidate) => candidate.finishReason)) this.finishRequest();
    return true;
  }

  private finishRequest(): void {
    this.done = true;
    const now = performance.now();
    const outputTokens = this.samples.reduce((sum, sample) => sum + sample.tokenIds.length, 0);
    const firstToken = this.firstTokenTime ?? now;
    const metrics: RequestMetrics = {
      arrivalTime: this.arrivalTime,
      queueTimeMs: (this.firstScheduledTime ?? now) - this.arrivalTime,
      timeToFirstTokenMs: firstToken - this.arrivalTime,
      timePerOutputTokenMs: this.samples[0].tokenIds.length > 1 ? (now - firstToken) / (this.samples[0].tokenIds.length - 1) : 0,
      latencyMs: now - this.arrivalTime,
      promptTokens: this.promptTokenIds.length,
      outputTokens,
      prefixHitTokens: this.prefixHitTokens,
      numPreemptions: this.numPreemptions,
    };
    const outputs: CompletionOutput[] = this.samples.map((sample, index) => ({
      index,
      text: sample.text?.text ?? '',
      tokenIds: sample.tokenIds,
      finishReason: sample.finishReason!,
      ...(sample.stopReason !== undefined ? { stopReason: sample.stopReason } : {}),
      ...(this.params.logprobs !== undefined ? { logprobs: sample.logprobs } : {}),
    }));
    this.emit({
      type: 'request-finish',
      requestId: this.id,
      outputs,
      promptTokenIds: [...this.promptTokenIds],
      ...(this.wantsPromptLogprobs ? { promptLogprobs: this.promptLogprobList } : {}),
      metrics,
    });
  }
}
