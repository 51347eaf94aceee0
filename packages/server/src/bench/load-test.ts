/**
 * Load test of chainlm-serve: a real server in a child process (so its RSS can be
 * read), a tiny chat model, and N concurrent streaming chat requests for N in
 * 1, 16, 64, 256. Reports throughput, TTFT and latency percentiles, errors by status,
 * and the server's RSS before and after; ratios are against N = 1 in the same run.
 * Above the queue limit every error must be a 429.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@chainlm/core';
import { makeTinyChatModel } from '../testing/tiny-chat-model.js';

const packageRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const repoRoot = resolve(packageRoot, '../..');

interface Row {
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

function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function streamOnce(url: string): Promise<{ status: number; ttft: number; latency: number; tokens: number }> {
  const started = performance.now();
  // One connection per request, as independent clients have: with keep-alive, fetch's
  // pool hands later requests to sockets that free up, so they queue in this process
  // instead of reaching the server (a 256-stream burst then never meets the queue limit).
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', connection: 'close' },
    body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 32, ignore_eos: true, stream: true, stream_options: { include_usage: true } }),
  });
  if (response.status !== 200) {
    await response.text();
    return { status: response.status, ttft: NaN, latency: performance.now() - started, tokens: 0 };
  }
  let ttft = NaN;
  let tokens = 0;
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      if (!frame.startsWith('data: ') || frame === 'data: [DONE]') continue;
      const data = JSON.parse(frame.slice(6));
      if (Number.isNaN(ttft) && data.choices?.[0]?.delta?.content) ttft = performance.now() - started;
      if (data.usage) tokens = data.usage.completion_tokens;
    }
  }
  return { status: 200, ttft, latency: performance.now() - started, tokens };
}

async function rss(pid: number): Promise<number> {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024;
}

async function main(): Promise<void> {
  const maxQueue = 64;
  const modelDir = await makeTinyChatModel(undefined, { steps: 50 });
  const port = 24000 + Math.floor(Math.random() * 1000);
  const server = spawn(process.execPath, [join(packageRoot, 'dist/bin/chainlm-serve.js'), modelDir, '--port', String(port), '--model-name', 'tiny', '--max-queue', String(maxQueue), '--max-seqs', '64', '-q'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        if ((await fetch(`${url}/health`)).ok) break;
      } catch {
        if (attempt > 600) throw new Error('server did not start');
      }
      await new Promise((done) => setTimeout(done, 100));
    }
    // Warm-up at the queue limit, so one-time growth (JIT, engine buffers, KV pool
    // pages) happens before the RSS baseline.
    await Promise.all(Array.from({ length: maxQueue }, () => streamOnce(url)));
    const rssBefore = await rss(server.pid!);
    const rows: Row[] = [];
    for (const concurrency of [1, 16, 64, 256]) {
      const requests = Math.max(concurrency, 32);
      const started = performance.now();
      const results: Awaited<ReturnType<typeof streamOnce>>[] = [];
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
      rows.push({
        concurrency,
        requests,
        ok: ok.length,
        errors,
        seconds,
        requestsPerSecond: ok.length / seconds,
        tokensPerSecond: ok.reduce((sum, result) => sum + result.tokens, 0) / seconds,
        ttftP50: percentile(ok.map((result) => result.ttft), 50),
        ttftP99: percentile(ok.map((result) => result.ttft), 99),
        latencyP50: percentile(ok.map((result) => result.latency), 50),
        latencyP99: percentile(ok.map((result) => result.latency), 99),
      });
      console.error(`concurrency ${concurrency}: ${ok.length}/${requests} ok, ${(ok.reduce((sum, result) => sum + result.tokens, 0) / seconds).toFixed(0)} tok/s`);
    }
    const rssAfter = await rss(server.pid!);
    const base = rows[0];
    const table = [
      '| concurrent streams | requests | ok | errors | req/s | output tok/s | tok/s vs 1 | TTFT p50 ms | TTFT p99 ms | latency p50 ms | latency p99 ms |',
      '| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rows.map(
        (row) =>
          `| ${row.concurrency} | ${row.requests} | ${row.ok} | ${Object.entries(row.errors).map(([status, count]) => `${count}× ${status}`).join(', ') || '0'} | ${row.requestsPerSecond.toFixed(1)} | ${row.tokensPerSecond.toFixed(0)} | ${(row.tokensPerSecond / base.tokensPerSecond).toFixed(2)}x | ${row.ttftP50.toFixed(0)} | ${row.ttftP99.toFixed(0)} | ${row.latencyP50.toFixed(0)} | ${row.latencyP99.toFixed(0)} |`,
      ),
    ].join('\n');
    const onlyQueueErrors = rows.every((row) => Object.keys(row.errors).every((status) => status === '429') && (row.concurrency <= maxQueue ? Object.keys(row.errors).length === 0 : true));
    const markdown = `# Server load test

Command: \`npm run bench -w packages/server\` (builds first). Date: ${new Date().toISOString().slice(0, 10)}.
Machine: ${process.platform}-${process.arch}, Node ${process.version}, backend ${process.env.CHAINLM_BACKEND ?? 'wasm (default)'}.

A chainlm-serve child process serves a tiny chat model (64-dim, 2 layers, trained in the
bench itself); each request is a streaming chat completion of 32 tokens (ignore_eos).
Queue limit ${maxQueue}: below it no request may fail, above it only 429s are allowed.

${table}

Server RSS: ${(rssBefore / 2 ** 20).toFixed(0)} MiB before, ${(rssAfter / 2 ** 20).toFixed(0)} MiB after (${(((rssAfter - rssBefore) / rssBefore) * 100).toFixed(1)}%).
Errors only where allowed: ${onlyQueueErrors ? 'yes' : 'NO'}.
`;
    await writeFileAtomic(join(repoRoot, 'docs/benchmarks/server.md'), markdown);
    process.stdout.write(`${markdown}\n`);
    if (!onlyQueueErrors) process.exitCode = 1;
  } finally {
    server.kill('SIGTERM');
  }
}

await main();
