/**
 * One EngineMetrics for a pool from its replicas' snapshots: gauges and totals are
 * summed (each replica has its own KV cache and its own busy time, so tokens/s add
 * up), and the prefix hit rate is recomputed from the summed token counts — i.e.
 * weighted by how many prompt tokens each replica looked up.
 */
import type { EngineMetrics } from '../engine/engine.js';

const summed = ['running', 'waiting', 'kvBlocksUsed', 'kvBlocksFree', 'prefixQueriedTokens', 'prefixHitTokens', 'promptTokens', 'generatedTokens', 'steps', 'preemptions', 'tokensPerSecond'] as const;

export function emptyMetrics(): EngineMetrics {
  return { running: 0, waiting: 0, kvBlocksUsed: 0, kvBlocksFree: 0, prefixHitRate: 0, prefixQueriedTokens: 0, prefixHitTokens: 0, promptTokens: 0, generatedTokens: 0, steps: 0, preemptions: 0, tokensPerSecond: 0 };
}

export function sumMetrics(replicas: readonly EngineMetrics[]): EngineMetrics {
  const total = emptyMetrics();
  for (const metrics of replicas) for (const key of summed) total[key] += metrics[key];
  total.prefixHitRate = total.prefixQueriedTokens === 0 ? 0 : total.prefixHitTokens / total.prefixQueriedTokens;
  return total;
}
