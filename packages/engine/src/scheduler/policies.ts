/**
 * Small scheduling policies, each one rule, so `schedule()` stays a loop over them.
 */
import type { Sequence } from './sequence.js';

/** FCFS by arrival order; a preempted sequence goes back to its old place (ahead of later arrivals). */
export class WaitingQueue {
  private readonly items: Sequence[] = [];

  get length(): number {
    return this.items.length;
  }

  peek(): Sequence | undefined {
    return this.items[0];
  }

  shift(): Sequence | undefined {
    return this.items.shift();
  }

  add(sequence: Sequence): void {
    let index = this.items.length;
    while (index > 0 && this.items[index - 1].order > sequence.order) index--;
    this.items.splice(index, 0, sequence);
  }

  remove(sequence: Sequence): boolean {
    const index = this.items.indexOf(sequence);
    if (index >= 0) this.items.splice(index, 1);
    return index >= 0;
  }

  [Symbol.iterator](): Iterator<Sequence> {
    return this.items[Symbol.iterator]();
  }
}

/** Decodes (one token to catch up) before prefill chunks, so a long prompt never stalls them; arrival order within each. */
export function runOrder(running: readonly Sequence[]): Sequence[] {
  const decodes = running.filter((sequence) => sequence.tokensToCompute === 1);
  const prefills = running.filter((sequence) => sequence.tokensToCompute > 1);
  return [...decodes, ...prefills];
}

/** The newest running sequence is preempted first: it has the least work to lose, and the oldest always progresses. */
export function pickVictim(running: readonly Sequence[]): Sequence | undefined {
  let victim: Sequence | undefined;
  for (const sequence of running) if (!victim || sequence.order > victim.order) victim = sequence;
  return victim;
}

/** Per-step limits: tokens across all sequences and the number of running sequences. */
export class TokenBudget {
  remaining: number;

  constructor(readonly maxBatchTokens: number, readonly maxSeqs: number) {
    this.remaining = maxBatchTokens;
  }

  /** Tokens a sequence may compute this step: all it lacks, cut to what is left (chunked prefill). */
  grant(sequence: Sequence, alreadyComputed = sequence.tokensComputed): number {
    return Math.min(sequence.tokensKnown - alreadyComputed, this.remaining);
  }
}
