/**
 * Continuous vs static batching on one trace, measured fairly. Whichever policy runs
 * first in a process pays its warm-up (V8 JIT of the engine's hot loops, the wasm
 * heap growing to its peak, fresh KV pool pages), which once made continuous
 * batching — always first — look 0.45× of static on a tiny trace. So:
 *  1. one untimed warm-up pass of both policies over the trace's first `maxSeqs`
 *     requests (all at once: peak concurrency, the same shapes);
 *  2. `rounds` timed rounds, alternating which policy goes first;
 *  3. each policy's reported result is its median round (by request throughput), and
 *     the ratio is of those two medians.
 */
import type { Model } from '@chainlm/model';
import { runDynamic, type BatchingPolicy, type DynamicResult } from './dynamic-bench.js';
import { round } from './stats.js';
import type { TraceRequest } from './trace.js';

export interface DynamicComparison {
  continuous: DynamicResult;
  static: DynamicResult;
  /** Request throughput, median continuous over median static. */
  ratio: number;
  /** Every timed round's raw request throughput, in run order. */
  rounds: { first: BatchingPolicy; continuous: number; static: number }[];
}

/** The trace's first `count` requests, arriving together (warm-up only: its timings are discarded). */
export function warmUpTrace(trace: readonly TraceRequest[], count: number): TraceRequest[] {
  return trace.slice(0, Math.max(1, count)).map((request) => ({ ...request, arrivalMs: 0 }));
}

/** The median result by request throughput (the lower middle for an even count). */
export function medianResult(results: readonly DynamicResult[]): DynamicResult {
  const sorted = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

export async function compareBatching(model: Model, trace: readonly TraceRequest[], options: { maxSeqs: number; rounds: number; warmUp: boolean }, log: (line: string) => void = () => {}): Promise<DynamicComparison> {
  if (options.warmUp) {
    const warm = warmUpTrace(trace, options.maxSeqs);
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
  const continuous = medianResult(results.continuous);
  const staticResult = medianResult(results.static);
  return { continuous, static: staticResult, ratio: round(continuous.requestsPerSecond / staticResult.requestsPerSecond, 2), rounds };
}
