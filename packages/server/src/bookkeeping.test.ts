/**
 * Leak guard: 200 requests of every kind — plain and streamed, chat and completions,
 * stop strings, a client that hangs up mid-stream, refused prompts, unknown models —
 * through a listening server, then everything per-request must be back to where it
 * was after the warm-up: the engine's request, listener, sequence and block-table
 * maps (each replica's too), the KV blocks, tensors on the backend, requests in
 * flight, and the label sets of /metrics. Sizes, not timings.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import { Engine, type ReplicaPool } from '@chainlm/engine';
import { tf } from '@chainlm/runtime';
import { createServer } from './app/create-server.js';
import { loadServedModel } from './app/load-model.js';
import type { ServedModel } from './app/served-model.js';
import { makeTinyChatModel } from './testing/tiny-chat-model.js';

const replicaWorker = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../engine/dist/parallel/replica-worker.js');

let dir: string;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  dir = await makeTinyChatModel(undefined, { steps: 5 });
}, 120_000);

afterAll(async () => {
  for (const app of apps) await app.close();
});

/** One request of kind `index % 6`; resolves once the client is done with it. */
async function request(url: string, index: number): Promise<number> {
  const post = (path: string, body: object, signal?: AbortSignal) => fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), ...(signal ? { signal } : {}) });
  const chat = { model: 'tiny', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 12, temperature: 0 };
  switch (index % 6) {
    case 0:
      return drain(await post('/v1/completions', { model: 'tiny', prompt: [5, 9, index % 50], max_tokens: 6, ignore_eos: true }));
    case 1:
      return drain(await post('/v1/chat/completions', { ...chat, stream: true, stream_options: { include_usage: true } }));
    case 2:
      return drain(await post('/v1/chat/completions', { ...chat, stop: ['!'], n: 2, temperature: 0.8 }));
    case 3: {
      // A client that hangs up after the first chunk: the server must abort and forget it.
      const controller = new AbortController();
      const response = await post('/v1/completions', { model: 'tiny', prompt: [5, 9], max_tokens: 200, ignore_eos: true, stream: true }, controller.signal);
      await response.body!.getReader().read();
      controller.abort();
      return response.status;
    }
    case 4:
      return drain(await post('/v1/completions', { model: 'tiny', prompt: Array(4000).fill(5), max_tokens: 4 }));
    default:
      return drain(await post('/v1/completions', { model: 'nope', prompt: [5], max_tokens: 4 }));
  }
}

async function drain(response: Response): Promise<number> {
  await response.text();
  return response.status;
}

async function run(url: string, count: number, concurrency: number): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) statuses.push(await request(url, next++));
  }));
  return statuses;
}

/** Waits (no timing assertion) until the server has let go of every request. */
async function settled(app: FastifyInstance): Promise<void> {
  while ((await app.inject({ url: '/health' })).json().inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Label sets per metric on /metrics (one line per series; scraped twice, so the scrape's own counter is in both). */
async function series(app: FastifyInstance): Promise<number> {
  await app.inject({ url: '/metrics' });
  return (await app.inject({ url: '/metrics' })).body.split('\n').filter((line) => line && !line.startsWith('#')).length;
}

async function serve(model: ServedModel): Promise<{ app: FastifyInstance; url: string }> {
  const app = await createServer([model], { rateLimitPerSecond: 1e6, rateLimitBurst: 1e6 });
  apps.push(app);
  return { app, url: await app.listen({ host: '127.0.0.1', port: 0 }) };
}

describe('no per-request state outlives its request', () => {
  it('one engine: maps, KV blocks, tensors, in-flight count and metric label sets back to their sizes after 200 requests', async () => {
    const model = await loadServedModel(dir, { id: 'tiny', engine: { maxSeqs: 8, cacheGiB: 0.01 } });
    const engine = model.engine as Engine;
    const { app, url } = await serve(model);
    expect(new Set(await run(url, 12, 6))).toEqual(new Set([200, 400, 404]));
    await settled(app);
    await engine.idle();
    const before = { tensors: tf.memory().numTensors, series: await series(app) };
    const statuses = await run(url, 200, 16);
    const expected = Array.from({ length: 200 }, (_, index) => [200, 200, 200, 200, 400, 404][index % 6]);
    expect(statuses.sort()).toEqual(expected.sort());
    await settled(app);
    await engine.idle();
    expect(engine.bookkeeping()).toEqual({ requests: 0, listeners: 0, adapterRequests: 0, sequences: 0, blockTables: 0 });
    expect(engine.metrics()).toMatchObject({ running: 0, waiting: 0, kvBlocksUsed: 0 });
    expect(tf.memory().numTensors).toBe(before.tensors);
    expect(await series(app)).toBe(before.series);
  });

  it.skipIf(skipUnlessPresent(replicaWorker, 'the --replicas bookkeeping case runs the built replica worker: npx tsc -b packages/engine (npm test builds first)'))('--replicas 2: the front\'s and every replica\'s maps back to zero after 200 requests', async () => {
    const model = await loadServedModel(dir, { id: 'tiny', engine: { maxSeqs: 8, cacheGiB: 0.02 }, replicas: 2 });
    const pool = model.engine as ReplicaPool;
    const { app, url } = await serve(model);
    await run(url, 12, 6);
    await settled(app);
    const seriesBefore = await series(app);
    await run(url, 200, 16);
    await settled(app);
    let bookkeeping = await pool.bookkeeping();
    // An aborted request is forgotten when its replica answers the abort.
    while (bookkeeping.inFlight > 0) bookkeeping = await pool.bookkeeping();
    expect(bookkeeping).toEqual({ listeners: 0, inFlight: 0, adapterRequests: 0, operations: 0, replicas: [0, 1].map(() => ({ requests: 0, listeners: 0, adapterRequests: 0, sequences: 0, blockTables: 0 })) });
    expect(await pool.refreshMetrics()).toMatchObject({ running: 0, waiting: 0, kvBlocksUsed: 0 });
    expect(await series(app)).toBe(seriesBefore);
  });
});
