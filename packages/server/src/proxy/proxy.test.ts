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
