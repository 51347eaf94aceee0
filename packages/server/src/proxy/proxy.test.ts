import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createProxy } from './proxy.js';

/** A small real upstream: answers completions with its name, streams SSE on request. */
async function upstream(name: string, options: { delayMs?: number } = {}): Promise<{ app: FastifyInstance; url: string; cancelled: () => number }> {
  const app = Fastify();
  let cancelled = 0;
  app.get('/health', async () => ({ status: 'ok' }));
  app.post('/v1/completions', async (request, reply) => {
    const body = request.body as { stream?: boolean; prompt: string };
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    if (!body.stream) return { id: 'x', served_by: name, prompt: body.prompt, auth: request.headers.authorization ?? null };
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
    let count = 0;
    const timer = setInterval(() => {
      if (count === 20) {
        clearInterval(timer);
        reply.raw.end('data: [DONE]\n\n');
        return;
      }
      reply.raw.write(`data: {"n":${count++},"from":"${name}"}\n\n`);
    }, 5);
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) {
        cancelled++;
        clearInterval(timer);
      }
    });
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url, cancelled: () => cancelled };
}

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(
    apps.splice(0).map((app) => {
      app.server.closeAllConnections();
      return app.close();
    }),
  );
});

describe('proxy', () => {
  it('spreads concurrent requests by outstanding count and forwards auth', async () => {
    const [a, b] = [await upstream('a', { delayMs: 50 }), await upstream('b', { delayMs: 50 })];
    const { app } = createProxy({ upstreams: [a.url, b.url] });
    apps.push(a.app, b.app, app);
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        app.inject({ method: 'POST', url: '/v1/completions', headers: { authorization: 'Bearer k' }, payload: { prompt: `p${index}` } }),
      ),
    );
    const servedBy = responses.map((response) => response.json().served_by);
    expect(servedBy.filter((name) => name === 'a')).toHaveLength(3);
    expect(responses[0].json().auth).toBe('Bearer k');
  });

  it('retries on a dead upstream before any byte is sent, and marks it down', async () => {
    const live = await upstream('live');
    const { app, upstreams } = createProxy({ upstreams: ['http://127.0.0.1:1', live.url] });
    apps.push(live.app, app);
    for (let index = 0; index < 3; index++) {
      const response = await app.inject({ method: 'POST', url: '/v1/completions', payload: { prompt: 'x' } });
      expect(response.statusCode).toBe(200);
      expect(response.json().served_by).toBe('live');
    }
    expect(upstreams[0]).toMatchObject({ healthy: false, failures: 1 });
  });

  it('answers 502 in OpenAI error shape when every upstream is down', async () => {
    const { app, checkHealth } = createProxy({ upstreams: ['http://127.0.0.1:1', 'http://127.0.0.1:2'] });
    apps.push(app);
    const response = await app.inject({ method: 'POST', url: '/v1/completions', payload: { prompt: 'x' } });
    expect(response.statusCode).toBe(502);
    expect(response.json().error).toMatchObject({ type: 'server_error', code: 'upstream_unavailable' });
    await checkHealth();
    expect((await app.inject({ url: '/health' })).statusCode).toBe(503);
  });

  it('streams SSE through and cancels the upstream when the client goes away', async () => {
    const source = await upstream('s');
    const { app } = createProxy({ upstreams: [source.url] });
    apps.push(source.app, app);
    const proxyUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    const full = await fetch(`${proxyUrl}/v1/completions`, { method: 'POST', body: JSON.stringify({ prompt: 'x', stream: true }), headers: { 'content-type': 'application/json' } });
    const text = await full.text();
    expect(text.match(/^data: /gm)).toHaveLength(21);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);

    const controller = new AbortController();
    const partial = await fetch(`${proxyUrl}/v1/completions`, {
      method: 'POST',
      body: JSON.stringify({ prompt: 'x', stream: true }),
      headers: { 'content-type': 'application/json' },
      signal: controller.signal,
    });
    const reader = partial.body!.getReader();
    await reader.read();
    controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(source.cancelled()).toBe(1);
  });
});

describe('proxy routing to registered workers', () => {
  const register = async (app: FastifyInstance, url: string, capacity: number, running: number) => {
    const response = await app.inject({
      method: 'POST',
      url: '/workers/register',
      payload: { url, models: [{ id: 'm' }], capacity, load: { running, waiting: 0 }, heartbeat_interval_ms: 100 },
    });
    expect(response.statusCode).toBe(201);
    return response.json().id as string;
  };

  it('passes over a worker at its capacity while another has room, even a busier one', async () => {
    const [full, roomy] = [await upstream('full'), await upstream('roomy')];
    const { app } = createProxy({ upstreams: [] });
    apps.push(full.app, roomy.app, app);
    await register(app, full.url, 1, 1);
    await register(app, roomy.url, 16, 5);
    for (let index = 0; index < 3; index++) {
      const response = await app.inject({ method: 'POST', url: '/v1/completions', payload: { model: 'm', prompt: 'x' } });
      expect(response.json().served_by).toBe('roomy');
    }
  });

  it('marks a worker it cannot connect to unreachable, retries elsewhere, and tells the worker at its next heartbeat', async () => {
    const live = await upstream('live');
    // A port that just closed (fetch refuses port 1 itself as a "bad port", before connecting).
    const gone = await upstream('gone');
    await gone.app.close();
    const { app } = createProxy({ upstreams: [] });
    apps.push(live.app, app);
    const dead = await register(app, gone.url, 16, 0);
    await register(app, live.url, 16, 1);
    // The dead one is less loaded, so it is tried first.
    const response = await app.inject({ method: 'POST', url: '/v1/completions', payload: { model: 'm', prompt: 'x' } });
    expect(response.json().served_by).toBe('live');
    const [entry] = (await app.inject({ url: '/workers' })).json().workers;
    expect(entry).toMatchObject({ url: gone.url, state: 'unreachable', failures: 1, last_error: expect.stringMatching(/ECONNREFUSED/) });
    const beat = await app.inject({ method: 'POST', url: `/workers/${dead}/heartbeat`, payload: { load: { running: 0, waiting: 0 }, models: [{ id: 'm' }] } });
    expect(beat.json()).toMatchObject({ state: 'unreachable', last_error: expect.stringMatching(/ECONNREFUSED/) });
    expect((await app.inject({ url: '/workers' })).json().workers[0].state).toBe('live');
  });

  it('answers 404 for a model no worker serves, and 502 with nothing to route to', async () => {
    const { app } = createProxy({ upstreams: [] });
    apps.push(app);
    const none = await app.inject({ method: 'POST', url: '/v1/completions', payload: { model: 'm', prompt: 'x' } });
    expect(none.statusCode).toBe(502);
    expect(none.json().error.message).toMatch(/no worker registered/);
    await register(app, 'http://127.0.0.1:1', 16, 0);
    const missing = await app.inject({ method: 'POST', url: '/v1/completions', payload: { model: 'other', prompt: 'x' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error).toMatchObject({ code: 'model_not_found', param: 'model' });
    // A model whose only worker cannot be reached is a 502, before and after it is marked unreachable.
    for (let index = 0; index < 2; index++) {
      expect((await app.inject({ method: 'POST', url: '/v1/completions', payload: { model: 'm', prompt: 'x' } })).statusCode).toBe(502);
    }
  });
});
