/**
 * `--replicas 2` against one in-thread engine on the same folder: identical greedy
 * answers (completions, chat, streamed deltas, JSON mode, a LoRA adapter, --quant weights), the
 * same API errors, summed gauges on /metrics, a lost replica answered with 503 while
 * the other keeps serving, and the CLI end to end. Replicas are worker threads that
 * run the engine's built worker (dist/), which `npm test` builds first.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import type { ReplicaPool } from '@chainlm/engine';
import { loadHfFolder } from '@chainlm/model';
import { makeTinyChatModel } from '../testing/tiny-chat-model.js';
import { randomLoraAdapter, writePeftFolder } from '../testing/lora-fixtures.js';
import { createServer } from './create-server.js';
import { loadServedModel } from './load-model.js';
import type { ServedModel } from './served-model.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const replicaWorker = resolve(here, '../../../engine/dist/parallel/replica-worker.js');

const engine = { maxSeqs: 8, cacheGiB: 0.02 };
let dir: string;
let one: ServedModel;
let two: ServedModel;
let single: FastifyInstance;
let pooled: FastifyInstance;

const post = (app: FastifyInstance, url: string, payload: object) => app.inject({ method: 'POST', url, payload });
const comparable = (body: { choices: unknown[]; usage: unknown }) => ({ choices: body.choices, usage: body.usage });

/**
 * Same tokens and text; logprobs equal to 1e-4 (a request batched with different
 * neighbours on another replica sums its attention in another order: ~1e-7 apart).
 */
function expectSameAnswer(mine: { choices: { logprobs: { token_logprobs: number[] } | null }[]; usage: unknown }, theirs: typeof mine): void {
  const withoutLogprobs = (body: typeof mine) => ({ ...body, choices: body.choices.map((choice) => ({ ...choice, logprobs: choice.logprobs && { ...choice.logprobs, token_logprobs: [], top_logprobs: [] } })) });
  expect(comparable(withoutLogprobs(mine))).toEqual(comparable(withoutLogprobs(theirs)));
  mine.choices.forEach((choice, index) => choice.logprobs?.token_logprobs.forEach((logprob, position) => expect(logprob).toBeCloseTo(theirs.choices[index].logprobs!.token_logprobs[position], 4)));
}

describe.skipIf(skipUnlessPresent(replicaWorker, 'the --replicas tests run the built replica worker: npx tsc -b packages/engine (npm test builds first)'))('chainlm-serve --replicas 2', () => {
  beforeAll(async () => {
    dir = await makeTinyChatModel();
    const weights = (await loadHfFolder(dir)).weights;
    const adapterDir = join(mkdtempSync(join(tmpdir(), 'chainlm-replica-lora-')), 'alpha');
    await writePeftFolder(adapterDir, randomLoraAdapter(weights, ['model.layers.0.self_attn.q_proj', 'model.layers.1.mlp.down_proj'], 4, 8, 3, 0.3));
    const adapters = [{ name: 'alpha', path: adapterDir }];
    one = await loadServedModel(dir, { id: 'tiny', engine });
    two = await loadServedModel(dir, { id: 'tiny', engine, replicas: 2 });
    single = await createServer([one], { adapters, maxTokens: 8 });
    pooled = await createServer([two], { adapters, maxTokens: 8 });
  }, 120_000);

  afterAll(async () => {
    await single?.close();
    await pooled?.close();
  });

  it('answers exactly as one engine: completions, chat, streamed deltas and a LoRA adapter', async () => {
    const completions = Array.from({ length: 8 }, (_, index) => ({ model: index % 3 === 0 ? 'alpha' : 'tiny', prompt: [5 + index, 9, 17, 3], max_tokens: 8, temperature: 0, ignore_eos: true, logprobs: 1 }));
    const chats = ['Say hello.', 'What is 2 + 2?', 'Give me JSON.'].map((content) => ({ model: 'tiny', messages: [{ role: 'user', content }], max_tokens: 24, temperature: 0 }));
    for (const [url, bodies] of [['/v1/completions', completions], ['/v1/chat/completions', chats]] as const) {
      const [mine, theirs] = await Promise.all([pooled, single].map((app) => Promise.all(bodies.map((body) => post(app, url, body)))));
      mine.forEach((response, index) => {
        expect(response.statusCode, response.body).toBe(200);
        expectSameAnswer(response.json(), theirs[index].json());
      });
    }
    expect(two.engine.adapterNames).toEqual(['alpha']);
    const stream = { ...chats[0], stream: true };
    const [mine, theirs] = await Promise.all([post(pooled, '/v1/chat/completions', stream), post(single, '/v1/chat/completions', stream)]);
    const deltas = (body: string) => body.split('\n\n').filter((frame) => frame.startsWith('data: {')).map((frame) => JSON.parse(frame.slice(6)).choices[0]?.delta?.content ?? '');
    expect(deltas(mine.body)).toEqual(deltas(theirs.body));
    expect(deltas(mine.body).join('')).toBe('Hello! I am a tiny model.');
  });

  it('refuses what one engine refuses, with the same errors', async () => {
    const tooLong = { model: 'tiny', prompt: Array(5000).fill(5), max_tokens: 4 };
    const badToken = { model: 'tiny', prompt: [5, 100000], max_tokens: 4 };
    for (const body of [tooLong, badToken]) {
      const [mine, theirs] = await Promise.all([post(pooled, '/v1/completions', body), post(single, '/v1/completions', body)]);
      expect(mine.statusCode).toBe(400);
      expect(mine.json().error.code).toBe(theirs.json().error.code);
    }
  });

  it('JSON mode: the constraint is rebuilt in the replica and answers as one engine', async () => {
    const body = { model: 'tiny', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 24, temperature: 0, response_format: { type: 'json_object' } };
    const [mine, theirs] = await Promise.all([post(pooled, '/v1/chat/completions', body), post(single, '/v1/chat/completions', body)]);
    expect(mine.statusCode, mine.body).toBe(200);
    expect(comparable(mine.json())).toEqual(comparable(theirs.json()));
    // JSON allows white space before the value; which token a random tiny model picks first depends on the matmul kernel.
    expect(mine.json().choices[0].message.content.trimStart()).toMatch(/^\{/);
  });

  it('sums the replicas\' gauges on /metrics', async () => {
    const pool = two.engine as ReplicaPool;
    const metrics = await pool.refreshMetrics();
    const scrape = (await pooled.inject({ method: 'GET', url: '/metrics' })).body;
    const gauge = (name: string) => Number(new RegExp(`^${name}\\{model="tiny"\\} (\\S+)$`, 'm').exec(scrape)?.[1]);
    expect(gauge('chainlm_kv_blocks_free')).toBe(2 * pool.plan.numBlocks);
    expect(gauge('chainlm_requests_running')).toBe(0);
    expect(gauge('chainlm_generation_tokens_per_second')).toBeCloseTo(metrics.tokensPerSecond, 3);
    expect(metrics.generatedTokens).toBeGreaterThan(0);
  });

  it('serves --quant weights made once in the front as one engine does', async () => {
    const quant = { scheme: 'w4a16' as const, groupSize: 32 };
    const [quantizedOne, quantizedTwo] = [await loadServedModel(dir, { id: 'tiny', engine, quant }), await loadServedModel(dir, { id: 'tiny', engine, quant, replicas: 2 })];
    const apps = [await createServer([quantizedOne]), await createServer([quantizedTwo])];
    expect(quantizedTwo.quantization).toEqual(quantizedOne.quantization);
    const body = { model: 'tiny', prompt: [5, 9, 17, 3], max_tokens: 8, temperature: 0, ignore_eos: true, logprobs: 1 };
    const [mine, theirs] = await Promise.all(apps.map((app) => post(app, '/v1/completions', body)));
    expectSameAnswer(mine.json(), theirs.json());
    for (const app of apps) await app.close();
  });

  it('a lost replica answers its requests with 503 replica_lost; the other keeps serving', async () => {
    const pool = two.engine as ReplicaPool;
    // Two idle replicas: one request goes to each.
    const long = { model: 'tiny', prompt: [5, 9], max_tokens: 400, temperature: 0, ignore_eos: true };
    const responses = [post(pooled, '/v1/completions', long), post(pooled, '/v1/completions', long)];
    while ((await pool.bookkeeping()).inFlight < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await pool.terminateReplica(0);
    const [lost, kept] = (await Promise.all(responses)).sort((a, b) => b.statusCode - a.statusCode);
    expect(lost.statusCode).toBe(503);
    expect(lost.json().error).toMatchObject({ code: 'replica_lost', message: expect.stringMatching(/replica 0 stopped/) });
    expect(kept.statusCode).toBe(200);
    const after = await post(pooled, '/v1/completions', { ...long, max_tokens: 4 });
    expect(after.json().choices[0].text.length).toBeGreaterThan(0);
    // The lost replica is started again in the background; /metrics shows it.
    const gauge = async (name: string) => Number(new RegExp(`^${name}\\{model="tiny"\\} (\\d+)$`, 'm').exec((await pooled.inject({ method: 'GET', url: '/metrics' })).body)?.[1]);
    for (const deadline = Date.now() + 60_000; (await gauge('chainlm_replicas_live')) < 2 && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    expect([await gauge('chainlm_replicas_live'), await gauge('chainlm_replicas'), await gauge('chainlm_replica_restarts')]).toEqual([2, 2, 1]);
    const again = await Promise.all([post(pooled, '/v1/completions', { ...long, max_tokens: 4 }), post(pooled, '/v1/completions', { ...long, max_tokens: 4 })]);
    expect(again.map((response) => response.statusCode)).toEqual([200, 200]);
  });

  it('chainlm-serve MODEL --replicas 2 prints the plan once and serves', async () => {
    const bin = resolve(here, '../../dist/bin/chainlm-serve.js');
    const child = spawn(process.execPath, [bin, dir, '--port', '0', '--model-name', 'tiny', '--replicas', '2', '--cache-max-entry-count', '0.01', '--max-seqs', '8'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      let log = '';
      const address = await new Promise<string>((done, fail) => {
        child.stderr.on('data', (chunk) => {
          log += chunk;
          const match = /serving "tiny" at (\S+)\/v1 \(context \d+ tokens, 2 replicas\)/.exec(log);
          if (match) done(match[1]);
        });
        child.once('exit', (code) => fail(new Error(`exited ${code}: ${log}`)));
      });
      expect(log.match(/memory plan:/g)).toHaveLength(1);
      expect(log).toMatch(/replicas +2 worker threads/);
      const response = await fetch(`${address}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'tiny', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 24, temperature: 0 }) });
      const answer = await response.json();
      expect(answer.choices?.[0].message.content, JSON.stringify(answer)).toBe('Hello! I am a tiny model.');
      expect(await (await fetch(`${address}/metrics`)).text()).toMatch(/chainlm_kv_blocks_free\{model="tiny"\} \d+/);
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);
});
