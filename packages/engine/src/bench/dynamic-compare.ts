/**
 * Continuous vs static batching on one trace, measured fairly. Whichever policy runs
 * first in a process pays its warm-up (V8 JIT of the engine's hot loops, the wasm
 * heap growing to its peak, fresh KV pool pages), which once made continuous
 * batching — always first — look 0.45× of static on a tiny trace. So:
 *  1. one untimed warm-up pass of both policies over the whole trace, all at once
 *     (a pass over only the first `maxSeqs` requests left round 1 of a 6-request
 *     trace at half speed: too few iterations for V8 to optimise the hot loops);
 *  2. `rounds` timed rounds, alternating which policy goes first;
 *  3. the reported pair is the round with the median ratio. Each round's two runs
 *     are seconds apart, so they share the machine's load (other jobs on the 2 shared
 *     cores move absolute rates by 2× between rounds); the median paired ratio is
 *     steadier than a ratio of independent per-policy medians, and the reported
 *     `continuous`, `static` and `ratio` stay consistent with each other.
 */
import type { Model } from '@chainlm/model';
import { runDynamic, type BatchingPolicy, type DynamicResult } from './dynamic-bench.js';
import { round } from './stats.js';
import type { TraceRequest } from './trace.js';

export interface DynamicComparison {
  continuous: DynamicResult;
  static: DynamicResult;
  /** Request throughput, continuous over static, of the median round. */
  ratio: number;
  /** Every timed round's raw request throughput, in run order. */
  rounds: { first: BatchingPolicy; continuous: number; static: number }[];
}

/** The trace's first `count` requests, arriving together (warm-up only: its timings are discarded). */
export function warmUpTrace(trace: readonly TraceRequest[], count: number): TraceRequest[] {
  return trace.slice(0, Math.max(1, count)).map((request) => ({ ...request, arrivalMs: 0 }));
}

/** Index of the median of `values` (the lower middle for an even count; ties keep run order). */
export function medianIndex(values: readonly number[]): number {
  const order = values.map((_, index) => index).sort((a, b) => values[a] - values[b] || a - b);
  return order[Math.floor((order.length - 1) / 2)];
}

export async function compareBatching(model: Model, trace: readonly TraceRequest[], options: { maxSeqs: number; rounds: number; warmUp: boolean }, log: (line: string) => void = () => {}): Promise<DynamicComparison> {
  if (options.warmUp) {
    const warm = warmUpTrace(trace, trace.length);
    await runDynamic(model, warm, 'continuous', options.maxSeqs);
    await runDynamic(model, warm, 'static', options.maxSeqs);
  }
  const results: Record<BatchingPolicy, DynamicResult[]> = { continuous: [], static: [] };
  const rounds: DynamicComparison['rounds'] = [];
  for (let index = 0; index < Math.max(1, options.rounds); index++) {
    const order: BatchingPolicy[] = index % 2 === 0 ? ['continuous', 'static'] : ['static', 'continuous'];
    for (const policy of order) results[policy].push(await runDynamic(model, trace, policy, options.maxSeqs));
    const continuous = results.continuous[index].requestsPerSecond;
    const staticRate = results.static[index].requestsPerSecond;
    rounds.push({ first: order[0], continuous, static: staticRate });
    log(`  round ${index + 1} (${order[0]} first): continuous ${continuous} req/s, static ${staticRate} req/s, ratio ${round(continuous / staticRate, 2)}`);
  }
  const median = medianIndex(rounds.map((entry) => entry.continuous / entry.static));
  const continuous = results.continuous[median];
  const staticResult = results.static[median];
  return { continuous, static: staticResult, ratio: round(continuous.requestsPerSecond / staticResult.requestsPerSecond, 2), rounds };
}
