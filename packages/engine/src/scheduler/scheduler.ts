/**
 * Design note — the scheduler decides, the runner executes (vLLM v1 / LMDeploy).
 *
 * `schedule()` returns plain data: which sequences compute how many tokens this
 * step, over which blocks, and which blocks to copy first. Every step:
 *  1. running sequences, decodes first, each get the tokens they lack (cut to the
 *     token budget: chunked prefill, "dynamic split & fuse");
 *  2. when a sequence cannot get its blocks, the newest running sequence is
 *     preempted (blocks freed, recomputed later) and the allocation retried;
 *  3. if nothing was preempted, waiting sequences are admitted FCFS while the
 *     budget, `maxSeqs` and free blocks allow, starting from their cached prefix.
 * `update()` closes the loop with what the runner sampled. The scheduler never
 * touches a tensor and never decides when a request stops (the engine does, since
 * stop strings need text); it is told through `finish()`.
 */
import { BlockManager, type BlockCopy } from '../block/block-manager.js';
import { EngineError } from '../errors.js';
import { TokenBudget, WaitingQueue, pickVictim, runOrder } from './policies.js';
import { Sequence } from './sequence.js';

export interface SchedulerOptions {
  maxBatchTokens: number;
  maxSeqs: number;
}

export interface ScheduledSequence {
  sequence: Sequence;
  /** Tokens computed before this step = position of the first new token. */
  start: number;
  /** New tokens this step: tokenIds[start, start + numTokens). */
  numTokens: number;
  blockTable: readonly number[];
  /** Tokens to sample from the last row: 0 mid-prefill, 1 normally, n when an n > 1 prompt completes. */
  sampleCount: number;
  copies: BlockCopy[];
}

export interface SchedulerOutput {
  step: number;
  sequences: ScheduledSequence[];
  blockCopies: BlockCopy[];
  preempted: Sequence[];
  numBatchedTokens: number;
}

export class Scheduler {
  readonly blocks: BlockManager;
  private readonly options: SchedulerOptions;
  private readonly waiting = new WaitingQueue();
  private running: Sequence[] = [];
  private readonly sequences = new Map<number, Sequence>();
  private nextSequenceId = 0;
  private nextOrder = 0;
  private step = 0;

  constructor(blocks: BlockManager, options: SchedulerOptions) {
    if (!(options.maxBatchTokens >= 1) || !(options.maxSeqs >= 1)) {
      throw new EngineError('engine-block-invalid', `maxBatchTokens and maxSeqs must be ≥ 1, got ${options.maxBatchTokens} and ${options.maxSeqs}`, 'set both to positive integers');
    }
    this.blocks = blocks;
    this.options = options;
  }

  get numWaiting(): number {
    return this.waiting.length;
  }

  get numRunning(): number {
    return this.running.length;
  }

  /** Sequences known (waiting, running or not yet finished): 0 once every request is done. */
  get numSequences(): number {
    return this.sequences.size;
  }

  hasWork(): boolean {
    return this.waiting.length > 0 || this.running.length > 0;
  }

  sequence(id: number): Sequence | undefined {
    return this.sequences.get(id);
  }

  /** Queues a prompt; `n` > 1 forks n − 1 siblings that share its blocks once the prompt is computed. */
  add(requestId: string, promptIds: readonly number[], n = 1, usePrefixCache = true, adapterId = 0): Sequence {
    const sequence = new Sequence({ id: this.nextSequenceId++, requestId, tokenIds: [...promptIds], promptLength: promptIds.length, order: this.nextOrder++, pendingForks: n - 1 });
    // Prompt logprobs need logits of every prompt row, so such a request computes its whole prompt.
    sequence.usePrefixCache = usePrefixCache;
    sequence.adapterId = adapterId;
    this.sequences.set(sequence.id, sequence);
    this.waiting.add(sequence);
    return sequence;
  }

  schedule(): SchedulerOutput {
    const budget = new TokenBudget(this.options.maxBatchTokens, this.options.maxSeqs);
    const scheduled = new Map<number, ScheduledSequence>();
    const preempted: Sequence[] = [];
    for (const sequence of runOrder(this.running)) {
      if (budget.remaining === 0) break;
      if (sequence.status !== 'running') continue; // preempted earlier in this loop
      const numTokens = budget.grant(sequence);
      if (numTokens <= 0) continue;
      const allocation = this.allocateOrPreempt(sequence, numTokens, scheduled, budget, preempted);
      if (!allocation) continue;
      scheduled.set(sequence.id, this.entry(sequence, sequence.tokensComputed, numTokens, allocation.copies));
      budget.remaining -= numTokens;
    }
    if (preempted.length === 0) this.admitWaiting(budget, scheduled);
    const sequences = [...scheduled.values()];
    return {
      step: this.step++,
      sequences,
      blockCopies: sequences.flatMap((entry) => entry.copies),
      preempted,
      numBatchedTokens: sequences.reduce((sum, entry) => sum + entry.numTokens, 0),
    };
  }

  /** Advances counters with what the runner sampled (sequence id → new tokens, n of them on a fork). */
  update(output: SchedulerOutput, sampled: ReadonlyMap<number, readonly number[]>): Sequence[] {
    const forked: Sequence[] = [];
    for (const entry of output.sequences) {
      const sequence = entry.sequence;
      if (sequence.status !== 'running') continue; // aborted while the step ran
      sequence.tokensComputed = entry.start + entry.numTokens;
      this.blocks.cacheFullBlocks(sequence.id, sequence.tokenIds, sequence.tokensComputed, sequence.cacheRoot);
      const tokens = sampled.get(sequence.id) ?? [];
      if (tokens.length === 0) continue;
      for (let index = 1; index < tokens.length; index++) forked.push(this.fork(sequence, index, tokens[index]));
      sequence.pendingForks = 0;
      sequence.tokenIds.push(tokens[0]);
    }
    return forked;
  }

  /** Removes a sequence (finished or aborted) and frees its blocks at once. */
  finish(sequenceId: number): void {
    const sequence = this.sequences.get(sequenceId);
    if (!sequence) return;
    sequence.status = 'finished';
    this.blocks.free(sequenceId);
    this.waiting.remove(sequence);
    this.running = this.running.filter((candidate) => candidate !== sequence);
    this.sequences.delete(sequenceId);
  }

  private fork(parent: Sequence, sampleIndex: number, token: number): Sequence {
    const child = new Sequence({ id: this.nextSequenceId++, requestId: parent.requestId, tokenIds: [...parent.tokenIds, token], promptLength: parent.promptLength, order: this.nextOrder++, sampleIndex });
    child.tokensComputed = parent.tokensComputed;
    child.adapterId = parent.adapterId;
    child.status = 'running';
    this.blocks.fork(parent.id, child.id);
    this.sequences.set(child.id, child);
    this.running.push(child);
    return child;
  }

  private allocateOrPreempt(sequence: Sequence, numTokens: number, scheduled: Map<number, ScheduledSequence>, budget: TokenBudget, preempted: Sequence[]) {
    for (;;) {
      const allocation = this.blocks.allocateSlots(sequence.id, sequence.tokensComputed, numTokens);
      if (allocation) return allocation;
      const victim = pickVictim(this.running)!;
      const victimEntry = scheduled.get(victim.id);
      if (victimEntry) {
        budget.remaining += victimEntry.numTokens;
        scheduled.delete(victim.id);
      }
      this.preempt(victim);
      preempted.push(victim);
      if (victim === sequence) return null;
    }
  }

  private preempt(sequence: Sequence): void {
    this.blocks.free(sequence.id);
    sequence.tokensComputed = 0;
    sequence.status = 'waiting';
    sequence.numPreemptions++;
    this.running = this.running.filter((candidate) => candidate !== sequence);
    this.waiting.add(sequence);
  }

  private admitWaiting(budget: TokenBudget, scheduled: Map<number, ScheduledSequence>): void {
    for (;;) {
      const sequence = this.waiting.peek();
      if (!sequence || budget.remaining === 0 || this.running.length >= budget.maxSeqs) return;
      const prefix = this.blocks.findCachedPrefix(sequence.usePrefixCache ? sequence.tokenIds : [], sequence.cacheRoot);
      const numTokens = budget.grant(sequence, prefix.numTokens);
      const allocation = this.blocks.allocateSlots(sequence.id, prefix.numTokens, numTokens, prefix);
      if (!allocation) return; // FCFS: nobody overtakes the head, so nobody starves
      this.waiting.shift();
      sequence.tokensComputed = prefix.numTokens;
      sequence.status = 'running';
      this.running.push(sequence);
      scheduled.set(sequence.id, this.entry(sequence, prefix.numTokens, numTokens, allocation.copies));
      budget.remaining -= numTokens;
    }
  }

  private entry(sequence: Sequence, start: number, numTokens: number, copies: BlockCopy[]): ScheduledSequence {
    const completes = start + numTokens === sequence.tokensKnown;
    return {
      sequence,
      start,
      numTokens,
      blockTable: this.blocks.blockTable(sequence.id).slice(),
      sampleCount: completes ? 1 + sequence.pendingForks : 0,
      copies,
    };
  }
}
