/** The markdown tables of docs/benchmarks/engine.md. */
import type { SuiteResult } from './suite.js';

function table(header: string[], rows: (string | number)[][]): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

export function suiteMarkdown(result: SuiteResult, command: string, machine: string): string {
  const parts: string[] = [`Command: \`${command}\` — ${machine}`];
  if (result.static) {
    parts.push(
      '### Static: fixed batch, all requests at once (output tokens/s; ratio over batch 1 of the same shape and variant)',
      table(
        ['shape', 'weights', 'weight MiB', 'batch', 'in/out', 'seconds', 'out tok/s', 'ratio'],
        result.static.map((row) => [row.shape, row.variant, row.weightMiB, row.batch, `${row.inputLength}/${row.outputLength}`, row.seconds, row.outputTokensPerSecond, `${row.ratio}x`]),
      ),
    );
  }
  if (result.dynamic) {
    const rows = result.dynamic.flatMap((run) =>
      [run.continuous, run.static].map((entry) => [run.arrival, entry.policy, entry.requests, entry.seconds, entry.requestsPerSecond, entry.outputTokensPerSecond, entry.ttftP50Ms, entry.ttftP99Ms, entry.latencyP50Ms, entry.latencyP99Ms, entry.policy === 'continuous' ? `**${run.ratio}x**` : '1x']),
    );
    parts.push(
      `### Dynamic: request trace, continuous vs static batching (same engine, same run)\n\nAfter one untimed warm-up pass of both policies, rounds alternate which policy runs first; the rows are the round with the median continuous/static ratio (per-round numbers go to stderr). Trace: ${result.dynamic[0].traceSource}; shape ${result.dynamic[0].shape}.`,
      table(['arrival', 'batching', 'requests', 'seconds', 'req/s', 'out tok/s', 'TTFT p50 ms', 'TTFT p99 ms', 'latency p50 ms', 'latency p99 ms', 'req/s ratio'], rows),
    );
  }
  if (result.kv) {
    parts.push(
      '### KV store: one decode step of attention per layer (speed-up over the wasm-heap store)',
      table(['store', 'batch', 'context', 'ms/layer', 'speed-up', 'KV MiB'], result.kv.map((row) => [row.store, row.batch, row.context, row.msPerLayer, `${row.speedup}x`, row.kvMiB])),
    );
  }
  if (result.quant) {
    parts.push(
      '### Quantization on stories260K: memory, perplexity on held-out sequences, decode speed (batch 16)',
      table(['weights', 'stored MiB', 'perplexity', 'change', 'decode tok/s'], result.quant.map((row) => [row.variant, row.weightMiB, row.perplexity, `${row.perplexityChangePercent}%`, row.decodeTokensPerSecond])),
    );
  }
  if (result.replicas) {
    parts.push(
      '### Replicas in worker threads: throughput of 64 requests (64 in / 64 out, tiny shape), speed-up over one main-thread engine',
      table(['setup', 'requests', 'seconds', 'out tok/s', 'speed-up'], result.replicas.map((row) => [row.setup, row.requests, row.seconds, row.outputTokensPerSecond, `${row.speedup}x`])),
    );
  }
  if (result.tp) {
    parts.push(
      '### Tensor parallel over 2 worker threads: decode speed at small batch (speed-up over 1 thread, same run)',
      table(['setup', 'streams', 'out tok/s', 'ms/token per stream', 'speed-up'], result.tp.map((row) => [row.setup, row.streams, row.outputTokensPerSecond, row.msPerToken, `${row.speedup}x`])),
    );
  }
  return `${parts.join('\n\n')}\n`;
}
