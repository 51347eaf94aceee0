/**
 * The load generator: streaming chat completions over fresh connections, N at a time,
 * timed per request (TTFT, latency) and summarized per run.
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';

export interface StreamResult {
  status: number;
  ttft: number;
  latency: number;
  tokens: number;
}

export interface RunSummary {
  concurrency: number;
  requests: number;
  ok: number;
  errors: Record<string, number>;
  seconds: number;
  requestsPerSecond: number;
  tokensPerSecond: number;
  ttftP50: number;
  ttftP99: number;
  latencyP50: number;
  latencyP99: number;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function streamOnce(url: string, maxTokens = 32): Promise<StreamResult> {
  const started = performance.now();
  // One connection per request, as independent clients have: with keep-alive, fetch's
  // pool hands later requests to sockets that free up, so they queue in this process
  // instead of reaching the server (a 256-stream burst then never meets the queue limit).
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: maxTokens, ignore_eos: true, stream: true, stream_options: { include_usage: true } }),
  });
  if (response.status !== 200) {
    await response.text();
    return { status: response.status, ttft: NaN, latency: performance.now() - started, tokens: 0 };
  }
  let ttft = NaN;
  let tokens = 0;
  const events = response.body!.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  for await (const { data } of events as unknown as AsyncIterable<{ data: string }>) {
    if (!data.startsWith('{')) continue;
    // JSON-parse only what is needed: the client shares the CPUs with the server under test.
    if (Number.isNaN(ttft) && /"content":"[^"]/.test(data)) ttft = performance.now() - started;
    if (data.includes('"usage":{')) tokens = JSON.parse(data).usage.completion_tokens;
  }
  return { status: 200, ttft, latency: performance.now() - started, tokens };
}

/** `requests` streams, `concurrency` at a time. */
export async function runStreams(url: string, concurrency: number, requests: number): Promise<RunSummary> {
  const started = performance.now();
  const results: StreamResult[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next++;
        results.push(await streamOnce(url));
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const ok = results.filter((result) => result.status === 200);
  const errors: Record<string, number> = {};
  for (const result of results) if (result.status !== 200) errors[result.status] = (errors[result.status] ?? 0) + 1;
  const tokens = ok.reduce((sum, result) => sum + result.tokens, 0);
  return {
    concurrency,
    requests,
    ok: ok.length,
    errors,
    seconds,
    requestsPerSecond: ok.length / seconds,
    tokensPerSecond: tokens / seconds,
    ttftP50: percentile(ok.map((result) => result.ttft), 50),
    ttftP99: percentile(ok.map((result) => result.ttft), 99),
    latencyP50: percentile(ok.map((result) => result.latency), 50),
    latencyP99: percentile(ok.map((result) => result.latency), 99),
  };
}
