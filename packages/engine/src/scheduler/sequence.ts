/**
 * One sequence = one pair of counters: `tokensComputed` (K/V in the cache) catching
 * up with `tokenIds.length` (tokens known: prompt + generated). Prefill, chunked
 * prefill, decode and recompute after preemption are all the same catch-up.
 */
export type SequenceStatus = 'waiting' | 'running' | 'finished';

export class Sequence {
  readonly id: number;
  readonly requestId: string;
  /** Prompt followed by generated tokens. */
  readonly tokenIds: number[];
  readonly promptLength: number;
  /** Arrival order; higher = newer. Preemption takes the newest first. */
  readonly order: number;
  /** 0 for the first sequence of a request; i for its i-th n > 1 sibling. */
  readonly sampleIndex: number;
  tokensComputed = 0;
  status: SequenceStatus = 'waiting';
  /** Siblings still to fork off when the prompt completes (n − 1, then 0). */
  pendingForks: number;
  numPreemptions = 0;
  usePrefixCache = true;
  /** LoRA adapter id (0: the base model); salts the prefix-cache hashes. */
  adapterId = 0;

  /** Root of this sequence's block-hash chain (see hashFullBlocks). */
  get cacheRoot(): string | undefined {
    return this.adapterId === 0 ? undefined : `lora:${this.adapterId}`;
  }

  constructor(fields: { id: number; requestId: string; tokenIds: number[]; promptLength: number; order: number; sampleIndex?: number; pendingForks?: number }) {
    this.id = fields.id;
    this.requestId = fields.requestId;
    this.tokenIds = fields.tokenIds;
    this.promptLength = fields.promptLength;
    this.order = fields.order;
    this.sampleIndex = fields.sampleIndex ?? 0;
    this.pendingForks = fields.pendingForks ?? 0;
  }

  get tokensKnown(): number {
    return this.tokenIds.length;
  }

  get numOutputTokens(): number {
    return this.tokenIds.length - this.promptLength;
  }

  get tokensToCompute(): number {
    return this.tokenIds.length - this.tokensComputed;
  }
}
