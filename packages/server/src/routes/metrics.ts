/**
 * GET /metrics in Prometheus format: engine gauges read at scrape time, plus
 * per-request histograms (queue time, TTFT, time per output token, latency) and
 * counters fed as requests finish.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineMetrics, RequestMetrics, ServingEngine } from '@chainlm/engine';
import type { ServerContext } from '../app/context.js';

export interface ServerMetrics {
  registry: Registry;
  observe(model: string, metrics: RequestMetrics): void;
  countRequest(route: string, status: number): void;
  /** Drops a model's label sets (an unloaded adapter), so names loaded and unloaded at run time do not pile up. */
  forget(model: string): void;
}

export function createMetrics(context: ServerContext): ServerMetrics {
  const registry = new Registry();
  const labelNames = ['model'] as const;
  /** A gauge per served model, read at scrape time; a model for which `read` gives undefined gets no sample. */
  const gauge = (name: string, help: string, read: (engine: ServingEngine) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      collect() {
        for (const model of context.models.values()) {
          const value = read(model.engine);
          if (value !== undefined) this.set({ model: model.id }, value);
        }
      },
    });
  const engineGauge = (name: string, help: string, pick: (metrics: EngineMetrics) => number) => gauge(name, help, (engine) => pick(engine.metrics()));
  engineGauge('chainlm_requests_running', 'requests being computed', (metrics) => metrics.running);
  engineGauge('chainlm_requests_waiting', 'requests waiting for a slot', (metrics) => metrics.waiting);
  engineGauge('chainlm_kv_blocks_used', 'KV cache blocks in use', (metrics) => metrics.kvBlocksUsed);
  engineGauge('chainlm_kv_blocks_free', 'KV cache blocks free', (metrics) => metrics.kvBlocksFree);
  engineGauge('chainlm_prefix_cache_hit_rate', 'share of prompt blocks served from the prefix cache', (metrics) => metrics.prefixHitRate);
  engineGauge('chainlm_generation_tokens_per_second', 'generated tokens per second of busy time', (metrics) => metrics.tokensPerSecond);
  engineGauge('chainlm_preemptions', 'requests preempted for lack of KV blocks (total)', (metrics) => metrics.preemptions);
  // Served through --replicas only: a replica that died and was restarted, or one that stays down.
  gauge('chainlm_replicas_live', 'engine replicas serving now', (engine) => engine.replicaHealth?.().live);
  gauge('chainlm_replicas', 'engine replicas started (--replicas)', (engine) => engine.replicaHealth?.().total);
  gauge('chainlm_replica_restarts', 'replicas restarted after dying, since start', (engine) => engine.replicaHealth?.().restarts);
  const seconds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
  const histogram = (name: string, help: string) => new Histogram({ name, help, labelNames, buckets: seconds, registers: [registry] });
  const queue = histogram('chainlm_queue_time_seconds', 'arrival to first scheduled step');
  const ttft = histogram('chainlm_time_to_first_token_seconds', 'arrival to first generated token');
  const tpot = histogram('chainlm_time_per_output_token_seconds', 'time per output token after the first');
  const latency = histogram('chainlm_request_latency_seconds', 'arrival to finish');
  const promptTokens = new Counter({ name: 'chainlm_prompt_tokens_total', help: 'prompt tokens', labelNames, registers: [registry] });
  const outputTokens = new Counter({ name: 'chainlm_generation_tokens_total', help: 'generated tokens', labelNames, registers: [registry] });
  const requests = new Counter({ name: 'chainlm_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: [registry] });
  return {
    registry,
    observe(model, metrics) {
      queue.observe({ model }, metrics.queueTimeMs / 1000);
      ttft.observe({ model }, metrics.timeToFirstTokenMs / 1000);
      if (metrics.outputTokens > 1) tpot.observe({ model }, metrics.timePerOutputTokenMs / 1000);
      latency.observe({ model }, metrics.latencyMs / 1000);
      promptTokens.inc({ model }, metrics.promptTokens);
      outputTokens.inc({ model }, metrics.outputTokens);
    },
    countRequest(route, status) {
      requests.inc({ route, status: String(status) });
    },
    forget(model) {
      for (const metric of [queue, ttft, tpot, latency, promptTokens, outputTokens]) metric.remove({ model });
    },
  };
}

export function metricsRoute(app: FastifyInstance, metrics: ServerMetrics): void {
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
}
