import { describe, expect, it } from 'vitest';
import { BlockManager } from '../block/block-manager.js';
import { Scheduler, type SchedulerOutput } from './scheduler.js';

function makeScheduler(numBlocks: number, blockSize: number, maxBatchTokens: number, maxSeqs = 64, enablePrefixCaching = true) {
  return new Scheduler(new BlockManager({ numBlocks, blockSize, enablePrefixCaching }), { maxBatchTokens, maxSeqs });
}

/** Plays the runner: every sequence that completes its tokens gets token 7 (n of them on a fork). */
function fakeSample(output: SchedulerOutput): Map<number, number[]> {
  const sampled = new Map<number, number[]>();
  for (const entry of output.sequences) if (entry.sampleCount > 0) sampled.set(entry.sequence.id, new Array(entry.sampleCount).fill(7));
  return sampled;
}

function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Scheduler', () => {
  it('chunks a long prompt and never stalls running decodes', () => {
    const scheduler = makeScheduler(32, 4, 8);
    const short = scheduler.add('short', [1, 2]);
    let output = scheduler.schedule();
    expect(output.sequences.map((entry) => [entry.sequence.id, entry.numTokens, entry.sampleCount])).toEqual([[short.id, 2, 1]]);
    scheduler.update(output, fakeSample(output));
    const long = scheduler.add('long', Array.from({ length: 20 }, (_, index) => index + 10));
    const chunks: number[] = [];
    for (let step = 0; step < 3; step++) {
      output = scheduler.schedule();
      // The decode is scheduled first every step and the prompt takes the rest of the budget.
      expect(output.sequences[0]).toMatchObject({ sequence: short, numTokens: 1, sampleCount: 1 });
      const chunk = output.sequences.find((entry) => entry.sequence === long)!;
      chunks.push(chunk.numTokens);
      expect(chunk.sampleCount).toBe(step === 2 ? 1 : 0);
      expect(output.numBatchedTokens).toBeLessThanOrEqual(8);
      scheduler.update(output, fakeSample(output));
    }
    expect(chunks).toEqual([7, 7, 6]);
    expect(long.tokensKnown).toBe(21);
  });

  it('preempts the newest sequence when blocks run out and recomputes it later', () => {
    const scheduler = makeScheduler(3, 2, 16);
    const old = scheduler.add('old', [1, 2]);
    const young = scheduler.add('young', [3, 4]);
    let output = scheduler.schedule();
    scheduler.update(output, fakeSample(output)); // old: blocks [0], young: [1]; both now 3 tokens
    output = scheduler.schedule(); // old takes block 2; young finds none → preempted
    expect(output.preempted).toEqual([young]);
    expect(output.sequences.map((entry) => entry.sequence)).toEqual([old]);
    expect(young).toMatchObject({ status: 'waiting', tokensComputed: 0, numPreemptions: 1 });
    scheduler.update(output, fakeSample(output));
    scheduler.finish(old.id);
    output = scheduler.schedule();
    // Recompute covers the prompt and the token it had already generated; its first
    // block survived in the prefix cache, so only the rest is recomputed.
    expect(output.sequences).toMatchObject([{ sequence: young, start: 2, numTokens: 1, sampleCount: 1 }]);
  });

  it('the newest sequence gives way even when it asks second', () => {
    const scheduler = makeScheduler(4, 2, 16, 64, false);
    const a = scheduler.add('a', [1, 2, 3, 4]);
    const b = scheduler.add('b', [4, 5, 6, 7]);
    let output = scheduler.schedule();
    scheduler.update(output, fakeSample(output)); // each: 4 tokens, 2 blocks, decode needs a third
    output = scheduler.schedule();
    expect(output.preempted).toEqual([b]);
    expect(output.sequences.map((entry) => entry.sequence)).toEqual([a]);
    expect(scheduler.blocks.numFreeBlocks).toBe(1);
    scheduler.update(output, fakeSample(output));
    // b waits (FCFS head) until a's blocks come back, then recomputes all 5 of its tokens.
    expect(scheduler.schedule().sequences.map((entry) => entry.sequence)).toEqual([a]);
    scheduler.finish(a.id);
    expect(scheduler.schedule().sequences).toMatchObject([{ sequence: b, start: 0, numTokens: 5 }]);
  });

  it('starts an identical prompt from its cached prefix', () => {
    const scheduler = makeScheduler(16, 2, 64);
    const first = scheduler.add('first', [1, 2, 3, 4, 5]);
    let output = scheduler.schedule();
    scheduler.update(output, fakeSample(output));
    scheduler.finish(first.id);
    scheduler.add('second', [1, 2, 3, 4, 5, 6]);
    output = scheduler.schedule();
    expect(output.sequences).toMatchObject([{ start: 4, numTokens: 2, sampleCount: 1 }]);
    expect(scheduler.blocks.stats().prefixHitTokens).toBe(4);
  });

  it('n > 1 forks siblings that share the prompt blocks and copy the partial block on write', () => {
    const scheduler = makeScheduler(16, 4, 64);
    const parent = scheduler.add('r', [1, 2, 3, 4, 5, 6], 3);
    let output = scheduler.schedule();
    expect(output.sequences[0].sampleCount).toBe(3);
    const children = scheduler.update(output, new Map([[parent.id, [10, 11, 12]]]));
    expect(children.map((child) => [child.sampleIndex, child.tokenIds.at(-1), child.tokensComputed])).toEqual([[1, 11, 6], [2, 12, 6]]);
    expect(parent.tokenIds.at(-1)).toBe(10);
    expect(scheduler.blocks.refCount(0)).toBe(3);
    output = scheduler.schedule();
    // The parent and first child each copy the shared half-full block 1; the last owner writes in place.
    expect(output.blockCopies).toEqual([{ src: 1, dst: 2 }, { src: 1, dst: 3 }]);
    expect(output.sequences.map((entry) => entry.blockTable)).toEqual([[0, 2], [0, 3], [0, 1]]);
  });

  it('finish frees blocks at once, also for a sequence still waiting', () => {
    const scheduler = makeScheduler(8, 2, 64, 1);
    const a = scheduler.add('a', [1, 2, 3]);
    const b = scheduler.add('b', [4]);
    scheduler.schedule();
    expect(scheduler.numWaiting).toBe(1); // maxSeqs = 1
    scheduler.finish(a.id);
    scheduler.finish(b.id);
    expect(scheduler.blocks.numFreeBlocks).toBe(8);
    expect(scheduler.hasWork()).toBe(false);
  });

  it('rejects an empty budget', () => {
    expect(() => makeScheduler(4, 2, 0)).toThrow(/maxBatchTokens/);
  });

  it('random arrivals: nobody starves, budgets hold, every block returns to the free list', () => {
    const random = mulberry32(42);
    const numBlocks = 24;
    const blockSize = 4;
    const scheduler = makeScheduler(numBlocks, blockSize, 24, 8);
    const targets = new Map<string, number>();
    const finishedAt = new Map<string, number>();
    const arrivedAt = new Map<string, number>();
    const firstScheduled: string[] = [];
    let preemptions = 0;
    for (let step = 0; step < 5000 && (targets.size < 60 || scheduler.hasWork()); step++) {
      if (targets.size < 60 && random() < 0.4) {
        const id = `r${targets.size}`;
        const prompt = Array.from({ length: 1 + Math.floor(random() * 30) }, () => Math.floor(random() * 4));
        const maxTokens = 1 + Math.floor(random() * 40); // prompt + output ≤ 70 < 96 slots: fits alone
        targets.set(id, prompt.length + maxTokens);
        arrivedAt.set(id, step);
        scheduler.add(id, prompt, random() < 0.1 ? 2 : 1);
      }
      const output = scheduler.schedule();
      preemptions += output.preempted.length;
      expect(output.numBatchedTokens).toBeLessThanOrEqual(24);
      expect(scheduler.numRunning).toBeLessThanOrEqual(8);
      scheduler.update(output, fakeSample(output));
      for (const entry of output.sequences) {
        if (!firstScheduled.includes(entry.sequence.requestId)) firstScheduled.push(entry.sequence.requestId);
        const sequence = scheduler.sequence(entry.sequence.id);
        if (sequence && sequence.tokensKnown >= targets.get(sequence.requestId)!) {
          scheduler.finish(sequence.id);
          finishedAt.set(sequence.requestId, step);
        }
      }
    }
    expect(finishedAt.size).toBe(60);
    expect(preemptions).toBeGreaterThan(0);
    const waits = [...finishedAt].map(([id, step]) => step - arrivedAt.get(id)!);
    expect(Math.max(...waits)).toBeLessThan(1000);
    // FCFS admission: nobody was overtaken by a later arrival.
    expect(firstScheduled).toEqual([...targets.keys()]);
    expect(scheduler.blocks.numFreeBlocks).toBe(numBlocks);
    for (let block = 0; block < numBlocks; block++) expect(scheduler.blocks.refCount(block)).toBe(0);
  });
});
