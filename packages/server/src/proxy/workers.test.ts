/**
 * Serving workers that join a proxy, end to end on loopback: real chainlm servers on a
 * tiny real model register with a real proxy, heartbeat, spread requests, and one that
 * stops heartbeating (its port closed, no deregistration) is dropped after the timeout
 * while requests keep succeeding on the other.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../app/create-server.js';
import { loadServedModel } from '../index.js';
import { makeTinyChatModel } from '../testing/tiny-chat-model.js';
import { startProxy } from './proxy.js';
import { joinProxy, serverWorkerStatus, type ProxyMembership } from './worker-client.js';
import type { WorkerView } from './worker-protocol.js';

const proxyKey = 'proxy-key-12345';
let modelDir: string;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  modelDir = await makeTinyChatModel(undefined, { steps: 5 });
}, 120_000);

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** Polls `check` until it returns true (every 25 ms, at most `timeoutMs`). */
async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function proxyOn(options: { apiKeys?: string[]; workerApiKeys?: string[]; workerTimeoutMs: number }) {
  const proxy = await startProxy({ upstreams: [], host: '127.0.0.1', port: 0, ...options });
  closers.push(() => proxy.app.close());
  return proxy;
}

/** A real server serving `ids` (one engine each) that joins the proxy; `crash()` stops its heartbeats and closes its port without deregistering. */
async function worker(proxyUrl: string, ids: string[], options: { proxyKey?: string; heartbeatIntervalMs?: number } = {}) {
  const models = await Promise.all(ids.map((id) => loadServedModel(modelDir, { id, engine: { maxSeqs: 4 } })));
  const { app, url } = await startServer(models, { host: '127.0.0.1', port: 0, maxQueue: 16 });
  closers.push(() => closeNow(app));
  let crashed = false;
  const status = serverWorkerStatus(app, models);
  const membership: ProxyMembership = await joinProxy({
    proxyUrl,
    advertiseUrl: url,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 100,
    capacity: 16,
    ...(options.proxyKey ? { proxyKey: options.proxyKey } : {}),
    status: async () => {
      if (crashed) throw new Error('crashed');
      return status();
    },
  });
  closers.push(() => membership.leave());
  return {
    url,
    membership,
    crash: async () => {
      crashed = true;
      await closeNow(app);
    },
  };
}

function closeNow(app: FastifyInstance): Promise<unknown> {
  app.server.closeAllConnections();
  return app.close();
}

const listWorkers = async (proxyUrl: string, headers: Record<string, string> = {}): Promise<WorkerView[]> =>
  ((await (await fetch(`${proxyUrl}/workers`, { headers })).json()) as { workers: WorkerView[] }).workers;

async function complete(proxyUrl: string, model: string): Promise<{ status: number; upstream: string | null }> {
  const response = await fetch(`${proxyUrl}/v1/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, prompt: 'Say hello.', max_tokens: 2, temperature: 0 }),
  });
  await response.text();
  return { status: response.status, upstream: response.headers.get('x-chainlm-upstream') };
}

describe('serving workers joining a proxy', () => {
  it('lists registered workers, unions their models, spreads requests, and drops one that stops heartbeating', async () => {
    const proxy = await proxyOn({ workerTimeoutMs: 1500 });
    const a = await worker(proxy.url, ['tiny']);
    const b = await worker(proxy.url, ['tiny', 'tiny-b']);

    const listed = await listWorkers(proxy.url);
    expect(listed.map((entry) => [entry.url, entry.models, entry.state, entry.capacity])).toEqual([
      [a.url, ['tiny'], 'live', 16],
      [b.url, ['tiny', 'tiny-b'], 'live', 16],
    ]);
    expect(listed[0].load).toEqual({ running: 0, waiting: 0 });
    expect(Date.parse(listed[0].last_heartbeat)).toBeGreaterThan(Date.now() - 5000);
    const models = (await (await fetch(`${proxy.url}/v1/models`)).json()) as { data: Array<{ id: string; max_model_len: number }> };
    expect(models.data.map((card) => card.id)).toEqual(['tiny', 'tiny-b']);
    expect(models.data[0].max_model_len).toBeGreaterThan(0);

    // Concurrent requests for "tiny" go to both; "tiny-b" only to b; an unknown model is 404.
    const spread = await Promise.all(Array.from({ length: 8 }, () => complete(proxy.url, 'tiny')));
    expect(spread.every((answer) => answer.status === 200)).toBe(true);
    for (const url of [a.url, b.url]) expect(spread.filter((answer) => answer.upstream === url).length).toBeGreaterThanOrEqual(2);
    expect(await complete(proxy.url, 'tiny-b')).toEqual({ status: 200, upstream: b.url });
    expect((await complete(proxy.url, 'missing')).status).toBe(404);
    const served = Object.fromEntries((await listWorkers(proxy.url)).map((entry) => [entry.url, entry.served]));
    expect(served[a.url] + served[b.url]).toBe(9);

    // b stops heartbeating and its port closes, with no deregistration: requests keep
    // succeeding (retried on a while b is still listed), and after the timeout b is gone.
    await b.crash();
    expect((await complete(proxy.url, 'tiny')).status).toBe(200);
    await until(async () => (await listWorkers(proxy.url)).length === 1);
    expect((await listWorkers(proxy.url)).map((entry) => entry.url)).toEqual([a.url]);
    for (let index = 0; index < 3; index++) expect(await complete(proxy.url, 'tiny')).toEqual({ status: 200, upstream: a.url });
    expect((await complete(proxy.url, 'tiny-b')).status).toBe(404);
  }, 120_000);

  it('re-adds a worker the proxy dropped when it registers again, and forgets one that leaves', async () => {
    const proxy = await proxyOn({ workerTimeoutMs: 1500 });
    const a = await worker(proxy.url, ['tiny']);
    const first = a.membership.id!;
    // The proxy forgets it (as after a missed timeout): the next heartbeat is told 404, and it registers again.
    proxy.workers.remove(first);
    await until(async () => (await listWorkers(proxy.url)).some((entry) => entry.url === a.url));
    const [again] = await listWorkers(proxy.url);
    expect(again.id).not.toBe(first);
    expect(a.membership.id).toBe(again.id);
    await a.membership.leave();
    expect(await listWorkers(proxy.url)).toEqual([]);
    expect(a.membership.id).toBeUndefined();
  }, 60_000);

  it('refuses a registration without the key when the proxy has keys', async () => {
    const proxy = await proxyOn({ apiKeys: [proxyKey], workerTimeoutMs: 1500 });
    await expect(worker(proxy.url, ['tiny'])).rejects.toMatchObject({ code: 'server-proxy-refused', message: expect.stringMatching(/401/) });
    await expect(worker(proxy.url, ['tiny'], { proxyKey: 'wrong-key-12345' })).rejects.toMatchObject({ code: 'server-proxy-refused' });
    const raw = await fetch(`${proxy.url}/workers/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'http://127.0.0.1:9', models: [{ id: 'x' }], capacity: 1, load: { running: 0, waiting: 0 }, heartbeat_interval_ms: 100 }),
    });
    expect(raw.status).toBe(401);
    expect((await fetch(`${proxy.url}/workers`)).status).toBe(401);
    expect(await listWorkers(proxy.url, { authorization: `Bearer ${proxyKey}` })).toEqual([]);

    const a = await worker(proxy.url, ['tiny'], { proxyKey });
    expect((await listWorkers(proxy.url, { authorization: `Bearer ${proxyKey}` })).map((entry) => entry.url)).toEqual([a.url]);
  }, 60_000);

  it('with --worker-api-keys takes registrations with a worker key only, which is no client key', async () => {
    const proxy = await proxyOn({ apiKeys: [proxyKey], workerApiKeys: ['worker-key-12345'], workerTimeoutMs: 1500 });
    const as = (key: string) => ({ authorization: `Bearer ${key}` });
    const body = { url: 'http://127.0.0.1:9', models: [{ id: 'x' }], capacity: 1, load: { running: 0, waiting: 0 }, heartbeat_interval_ms: 100 };
    expect((await proxy.app.inject({ method: 'POST', url: '/workers/register', headers: as(proxyKey), payload: body })).statusCode).toBe(401);
    const accepted = await proxy.app.inject({ method: 'POST', url: '/workers/register', headers: as('worker-key-12345'), payload: body });
    expect(accepted.statusCode).toBe(201);
    const id = accepted.json().id as string;
    const beat = { load: { running: 0, waiting: 0 }, models: [{ id: 'x' }] };
    expect((await proxy.app.inject({ method: 'POST', url: `/workers/${id}/heartbeat`, headers: as(proxyKey), payload: beat })).statusCode).toBe(401);
    expect((await proxy.app.inject({ method: 'POST', url: `/workers/${id}/heartbeat`, headers: as('worker-key-12345'), payload: beat })).statusCode).toBe(200);
    expect((await proxy.app.inject({ method: 'DELETE', url: `/workers/${id}`, headers: as(proxyKey) })).statusCode).toBe(401);
    expect((await proxy.app.inject({ url: '/workers', headers: as('worker-key-12345') })).statusCode).toBe(401);
    expect((await proxy.app.inject({ method: 'POST', url: '/v1/completions', headers: as('worker-key-12345'), payload: { model: 'x', prompt: 'p' } })).statusCode).toBe(401);
    expect((await proxy.app.inject({ url: '/workers', headers: as(proxyKey) })).json().workers).toHaveLength(1);
    expect((await proxy.app.inject({ method: 'DELETE', url: `/workers/${id}`, headers: as('worker-key-12345') })).statusCode).toBe(204);
  });

  it('without keys takes registrations from loopback peers only, and only http(s) URLs', async () => {
    const proxy = await proxyOn({ workerTimeoutMs: 1500 });
    const body = { url: 'http://10.0.0.7:23333', models: [{ id: 'x' }], capacity: 1, load: { running: 0, waiting: 0 }, heartbeat_interval_ms: 100 };
    const foreign = await proxy.app.inject({ method: 'POST', url: '/workers/register', remoteAddress: '10.0.0.9', payload: body });
    expect(foreign.statusCode).toBe(403);
    for (const url of ['file:///etc/passwd', 'gopher://127.0.0.1:6379', 'http://user:pass@127.0.0.1:1', 'http://127.0.0.1:1/?x=1', 'not a url']) {
      const refused = await proxy.app.inject({ method: 'POST', url: '/workers/register', payload: { ...body, url } });
      expect(refused.statusCode, url).toBe(400);
      expect(refused.json().error.param).toBe('url');
    }
    const accepted = await proxy.app.inject({ method: 'POST', url: '/workers/register', payload: { ...body, url: 'http://10.0.0.7:23333/' } });
    expect(accepted.statusCode).toBe(201);
    expect(proxy.workers.all().map((entry) => entry.url)).toEqual(['http://10.0.0.7:23333']);
    expect((await proxy.app.inject({ method: 'POST', url: '/workers/nope/heartbeat', payload: { load: { running: 0, waiting: 0 }, models: [{ id: 'x' }] } })).statusCode).toBe(404);
  });
});
