/**
 * Reads a chainlm-serve /metrics page (Prometheus text format) back into engine
 * numbers — the console's Deployments page plots them. It lives beside the writer
 * (routes/metrics.ts) so the metric names have one owner, and its test reads a real
 * server's page. Samples of a metric are summed across label sets (one per served
 * model); TTFT quantiles come from the histogram buckets.
 */

/** A deployment's engine numbers at one moment. */
export interface EngineSnapshot {
  time: number;
  running: number;
  waiting: number;
  kvBlocksUsed: number;
  kvBlocksFree: number;
  prefixHitRate: number;
  tokensPerSecond: number;
  preemptions: number;
  requests: number;
  /** Seconds; null before the first request. */
  ttftMean: number | null;
  ttftP50: number | null;
  ttftP90: number | null;
  /** Worker replicas (`--replicas`): serving now, started, restarted after dying; null for one in-thread engine. */
  replicas: { live: number; total: number; restarts: number } | null;
}

export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheus(text: string): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  for (const line of text.split('\n')) {
    if (line.length === 0 || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
    const value = match[4] === '+Inf' ? Infinity : Number(match[4]);
    if (!Number.isNaN(value)) samples.push({ name: match[1], labels, value });
  }
  return samples;
}

function sum(samples: PrometheusSample[], name: string): number {
  return samples.filter((sample) => sample.name === name).reduce((total, sample) => total + sample.value, 0);
}

/** The q-quantile of a cumulative histogram, interpolated linearly inside its bucket. */
export function histogramQuantile(samples: PrometheusSample[], name: string, q: number): number | null {
  const buckets = new Map<number, number>();
  for (const sample of samples.filter((entry) => entry.name === `${name}_bucket`)) {
    const bound = sample.labels.le === '+Inf' ? Infinity : Number(sample.labels.le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + sample.value);
  }
  const sorted = [...buckets.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let previousBound = 0;
  let previousCount = 0;
  for (const [bound, count] of sorted) {
    if (count >= rank) {
      if (!Number.isFinite(bound)) return previousBound;
      const inBucket = count - previousCount;
      return inBucket === 0 ? bound : previousBound + ((bound - previousBound) * (rank - previousCount)) / inBucket;
    }
    previousBound = bound;
    previousCount = count;
  }
  return previousBound;
}

export function engineSnapshot(text: string, time = Date.now()): EngineSnapshot {
  const samples = parsePrometheus(text);
  const ttftCount = sum(samples, 'chainlm_time_to_first_token_seconds_count');
  const hitRates = samples.filter((sample) => sample.name === 'chainlm_prefix_cache_hit_rate');
  return {
    time,
    running: sum(samples, 'chainlm_requests_running'),
    waiting: sum(samples, 'chainlm_requests_waiting'),
    kvBlocksUsed: sum(samples, 'chainlm_kv_blocks_used'),
    kvBlocksFree: sum(samples, 'chainlm_kv_blocks_free'),
    prefixHitRate: hitRates.length === 0 ? 0 : sum(samples, 'chainlm_prefix_cache_hit_rate') / hitRates.length,
    tokensPerSecond: sum(samples, 'chainlm_generation_tokens_per_second'),
    preemptions: sum(samples, 'chainlm_preemptions'),
    requests: sum(samples, 'chainlm_request_latency_seconds_count') || ttftCount,
    ttftMean: ttftCount === 0 ? null : sum(samples, 'chainlm_time_to_first_token_seconds_sum') / ttftCount,
    ttftP50: histogramQuantile(samples, 'chainlm_time_to_first_token_seconds', 0.5),
    ttftP90: histogramQuantile(samples, 'chainlm_time_to_first_token_seconds', 0.9),
    replicas: samples.some((sample) => sample.name === 'chainlm_replicas')
      ? { live: sum(samples, 'chainlm_replicas_live'), total: sum(samples, 'chainlm_replicas'), restarts: sum(samples, 'chainlm_replica_restarts') }
      : null,
  };
}
