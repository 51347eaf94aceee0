/**
 * Limits and lifecycle: a full queue answers 429 with Retry-After, a client that
 * disconnects mid-stream frees its KV blocks, a non-loopback bind without keys is
 * refused, per-key rate limits apply, and close() drains running requests.
 */
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from './app/create-server.js';
import { loadServedModel } from './app/load-model.js';
import type { ServedModel } from './app/served-model.js';
import { makeTinyChatModel } from './testing/tiny-chat-model.js';

let dir: string;
const apps: FastifyInstance[] = [];

beforeAll(async () => {
  dir = await makeTinyChatModel(undefined, { steps: 5 });
}, 120_000);

afterEach(async () => {
  for (const app of apps.splice(0)) {
    app.server.closeAllConnections();
    await app.close();
  }
});

async function serve(options: Parameters<typeof createServer>[1] = {}): Promise<{ app: FastifyInstance; url: string; model: ServedModel }> {
  const model = await loadServedModel(dir, { id: 'tiny', engine: { maxSeqs: 4 } });
  const app = await createServer([model], options);
  apps.push(app);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url, model };
}

const longRequest = { model: 'tiny', prompt: 'Say', max_tokens: 100, ignore_eos: true, temperature: 0 };

describe('server limits', () => {
  it('answers 429 with Retry-After once the queue is full, and only then', async () => {
    const { url } = await serve({ maxQueue: 2 });
    const post = (body: unknown) => fetch(`${url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const responses = await Promise.all(Array.from({ length: 6 }, () => post(longRequest)));
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 200, 429, 429, 429, 429]);
    const rejected = responses.find((response) => response.status === 429)!;
    expect(rejected.headers.get('retry-after')).toBe('1');
    expect((await rejected.json()).error.code).toBe('queue_full');
    expect((await post(longRequest)).status).toBe(200);
  });

  it('frees the KV blocks of a client that disconnects mid-stream', async () => {
    const { url, model } = await serve();
    const controller = new AbortController();
    const response = await fetch(`${url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...longRequest, max_tokens: 120, stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    expect(model.engine.metrics().kvBlocksUsed).toBeGreaterThan(0);
    controller.abort();
    const deadline = Date.now() + 5000;
    while (model.engine.metrics().running > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(model.engine.metrics().running).toBe(0);
    expect(model.engine.metrics().generatedTokens).toBeLessThan(120);
  });

  it('refuses a public bind without keys and applies per-key rate limits', async () => {
    const model = await loadServedModel(dir, { id: 'tiny' });
    await expect(createServer([model], { host: '0.0.0.0' })).rejects.toThrow(/without API keys/);
    const { app } = await serve({ apiKeys: ['first-key-0001', 'second-key-002'], rateLimitPerSecond: 0.001, rateLimitBurst: 2 });
    const call = (key: string) => app.inject({ url: '/v1/models', headers: { authorization: `Bearer ${key}` } });
    expect((await call('first-key-0001')).statusCode).toBe(200);
    expect((await call('first-key-0001')).statusCode).toBe(200);
    const limited = await call('first-key-0001');
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await call('second-key-002')).statusCode).toBe(200);
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
  });

  it('does not rate-limit loopback clients when no keys are configured (a local bench or eval may send hundreds a second)', async () => {
    const { app } = await serve({ rateLimitPerSecond: 1, rateLimitBurst: 1 });
    const statuses = await Promise.all(Array.from({ length: 50 }, () => app.inject({ url: '/v1/models' }).then((response) => response.statusCode)));
    expect(new Set(statuses)).toEqual(new Set([200]));
  });

  it('drains running requests on close', async () => {
    const { app, url } = await serve();
    const running = fetch(`${url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...longRequest, max_tokens: 40 }) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    apps.splice(apps.indexOf(app), 1);
    await app.close();
    const response = await running;
    expect(response.status).toBe(200);
    expect((await response.json()).usage.completion_tokens).toBe(40);
  });

  it('exposes engine metrics in Prometheus format', async () => {
    const { app } = await serve();
    await app.inject({ method: 'POST', url: '/v1/completions', payload: { ...longRequest, max_tokens: 3 } });
    const metrics = await app.inject({ url: '/metrics' });
    expect(metrics.headers['content-type']).toMatch(/text\/plain/);
    expect(metrics.body).toMatch(/chainlm_kv_blocks_free\{model="tiny"\} \d+/);
    expect(metrics.body).toMatch(/chainlm_time_to_first_token_seconds_count\{model="tiny"\} 1/);
    expect(metrics.body).toMatch(/chainlm_generation_tokens_total\{model="tiny"\} 3/);
  });
});

describe('queue limit with streaming', () => {
  it('counts streamed requests until their stream ends', async () => {
    const { url } = await serve({ maxQueue: 2 });
    const post = () =>
      fetch(`${url}/v1/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...longRequest, stream: true }) });
    const responses = await Promise.all(Array.from({ length: 5 }, post));
    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 429, 429, 429]);
    await Promise.all(responses.map((response) => response.text()));
    expect((await post()).status).toBe(200);
  });
});
