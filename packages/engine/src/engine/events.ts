/** What the engine emits per request (noun-action names, camelCase fields). */
import type { TokenLogprob } from '../sampling/logprobs.js';
import type { PromptLogprob } from '../runner/model-runner.js';
import type { EngineErrorCode } from '../errors.js';

export type FinishReason = 'stop' | 'length' | 'abort';

export interface GeneratedLogprob {
  tokenId: number;
  logprob: number;
  top?: TokenLogprob[];
}

export interface TextDeltaEvent {
  type: 'text-delta';
  requestId: string;
  /** Which of the request's n samples. */
  index: number;
  text: string;
  tokenIds: number[];
  logprobs?: GeneratedLogprob[];
}

export interface CompletionOutput {
  index: number;
  text: string;
  tokenIds: number[];
  finishReason: FinishReason;
  /** The stop string or stop token id that ended it. */
  stopReason?: string | number;
  logprobs?: GeneratedLogprob[];
}

export interface RequestMetrics {
  arrivalTime: number;
  /** ms from arrival to first scheduled step. */
  queueTimeMs: number;
  /** ms from arrival to the first generated token. */
  timeToFirstTokenMs: number;
  /** ms per output token after the first (0 for one token). */
  timePerOutputTokenMs: number;
  /** ms from arrival to finish. */
  latencyMs: number;
  promptTokens: number;
  outputTokens: number;
  prefixHitTokens: number;
  numPreemptions: number;
}

export interface RequestFinishEvent {
  type: 'request-finish';
  requestId: string;
  outputs: CompletionOutput[];
  promptTokenIds: number[];
  /** Entry i is prompt token i + 1's (null-free; the first prompt token has no logprob). */
  promptLogprobs?: PromptLogprob[];
  metrics: RequestMetrics;
  /** Set when the request failed before running (e.g. rejected by a replica) or its replica was lost. */
  error?: string;
  /** The error's catalogue code (e.g. engine-request-too-long, engine-replica-lost), with `error`. */
  errorCode?: EngineErrorCode;
}

export type EngineEvent = TextDeltaEvent | RequestFinishEvent;
