import { request as httpRequest } from 'node:http';
import { acceptsConnections, freePort } from '@chainlm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReActAgent } from '../agents/react-agent.js';
import { ScriptedChatModel } from '../models/scripted-chat-model.js';
import { createCalculatorTool } from '../tools/calculator.js';
import { createJsInterpreterTool } from '../tools/js-interpreter.js';
import { invokeTool } from '../tools/tool.js';
import { RemoteToolClient } from './remote-tool-client.js';
import { buildToolServer, startToolServer } from './tool-server.js';

const tools = () => [createCalculatorTool(), createJsInterpreterTool({ timeLimitMs: 200 })];

/** A GET to 127.0.0.1:port with a chosen Host header (fetch may not set Host). */
function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest({ host: '127.0.0.1', port, path, headers }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    sent.on('error', reject);
    sent.end();
  });
}

const portOf = (url: string) => Number(new URL(url).port);

describe('tool server exposure (real sockets)', () => {
  it('without keys, on loopback, refuses a Host header that is not a loopback name (DNS rebinding)', async () => {
    const server = await startToolServer({ tools: tools(), host: '127.0.0.1', port: 0 });
    try {
      const port = portOf(server.url);
      const rebound = await get(port, '/tools', { host: 'evil.example' });
      expect(rebound.status).toBe(403);
      expect(JSON.parse(rebound.body)).toMatchObject({ ok: false, error: { code: 'forbidden-host' } });
      expect((await get(port, '/health', { host: '127.evil.example:80' })).status).toBe(403);
      expect((await get(port, '/tools', { host: `127.0.0.1:${port}` })).status).toBe(200);
      expect((await get(port, '/tools', { host: `localhost:${port}` })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('refuses to start on 0.0.0.0 without keys, leaving nothing listening', async () => {
    const port = await freePort();
    await expect(startToolServer({ tools: tools(), host: '0.0.0.0', port })).rejects.toMatchObject({ code: 'auth-exposed' });
    expect(await acceptsConnections(port)).toBe(false);
  });

  it('on 0.0.0.0 with keys, answers 401 without the key and serves with it', async () => {
    const server = await startToolServer({ tools: tools(), host: '0.0.0.0', port: 0, apiKeys: ['k-0000'] });
    try {
      const port = portOf(server.url);
      expect((await get(port, '/tools', { host: 'tools.example' })).status).toBe(401);
      expect((await get(port, '/tools', { authorization: 'Bearer wrong' })).status).toBe(401);
      expect((await get(port, '/tools', { host: 'tools.example', authorization: 'Bearer k-0000' })).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('on 0.0.0.0 with --insecure-no-auth, starts and warns', async () => {
    const warnings: string[] = [];
    const server = await startToolServer({ tools: tools(), host: '0.0.0.0', port: 0, insecureNoAuth: true, warn: (text) => warnings.push(text) });
    try {
      expect(warnings.join('')).toMatch(/WARNING: chainlm-agent tool-server runs with --insecure-no-auth/);
      expect((await get(portOf(server.url), '/tools', { host: 'tools.example' })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});

describe('a synchronous tool bomb (calculator in its worker thread)', () => {
  it('ends in a time-limit error near its deadline, while the server keeps answering', async () => {
    const timeLimitMs = 500;
    const server = await startToolServer({ tools: [createCalculatorTool({ timeLimitMs })], port: 0 });
    try {
      const call = (expression: string) => fetch(`${server.url}/tools/calculator/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: { expression } }) }).then((response) => response.json());
      await call('1 + 1'); // the worker is up and mathjs loaded: the clock below measures the bomb alone
      const started = performance.now();
      let healthAt = 0;
      const bomb = call('zeros(1e5, 1e5)').then((result) => ({ result, at: performance.now() - started }));
      // While the bomb runs, the event loop is free: /health answers before it ends.
      await new Promise((resolve) => setTimeout(resolve, 100));
      const health = await fetch(`${server.url}/health`).then((response) => response.json());
      healthAt = performance.now() - started;
      const { result, at } = await bomb;
      expect(health).toEqual({ ok: true });
      expect(healthAt).toBeLessThan(at);
      expect(result).toMatchObject({ ok: false, error: { code: 'time-limit', message: expect.stringMatching(/was stopped \(its worker thread was terminated\)/) } });
      expect(at).toBeGreaterThanOrEqual(timeLimitMs);
      expect(at).toBeLessThan(timeLimitMs + 5000); // slack for a loaded 2-core machine; before, it never returned
      // The next call gets a fresh worker and a right answer.
      expect(await call('6 * 7')).toEqual({ ok: true, output: { result: '42', value: 42 } });
    } finally {
      await server.close();
    }
  }, 90_000);
});

describe('tool server (in-process inject)', () => {
  const app = buildToolServer({ tools: tools(), apiKeys: ['secret'] });
  const auth = { authorization: 'Bearer secret' };
  afterAll(() => app.close());

  it('rejects requests without the right key, but not /health', async () => {
    expect((await app.inject({ method: 'GET', url: '/tools' })).statusCode).toBe(401);
    const wrong = await app.inject({ method: 'POST', url: '/tools/calculator/call', headers: { authorization: 'Bearer nope' }, payload: { input: { expression: '1' } } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ ok: true });
  });

  it('lists tools, serves schemas and calls them', async () => {
    expect((await app.inject({ method: 'GET', url: '/tools', headers: auth })).json().tools.map((tool: { name: string }) => tool.name)).toEqual(['calculator', 'javascript']);
    expect((await app.inject({ method: 'GET', url: '/tools/calculator/schema', headers: auth })).json()).toMatchObject({ name: 'calculator', inputSchema: { required: ['expression'] } });
    const call = await app.inject({ method: 'POST', url: '/tools/calculator/call', headers: auth, payload: { input: { expression: '3^4' } } });
    expect(call.json()).toEqual({ ok: true, output: { result: '81', value: 81 } });
  });

  it('answers tool errors as results and protocol errors as HTTP errors', async () => {
    const toolError = await app.inject({ method: 'POST', url: '/tools/calculator/call', headers: auth, payload: { input: { expression: 4 } } });
    expect(toolError.statusCode).toBe(200);
    expect(toolError.json()).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const missing = await app.inject({ method: 'POST', url: '/tools/abacus/call', headers: auth, payload: { input: {} } });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'unknown-tool']);
    expect((await app.inject({ method: 'GET', url: '/tools/abacus/schema', headers: auth })).statusCode).toBe(404);
    const malformed = await app.inject({ method: 'POST', url: '/tools/calculator/call', headers: auth, payload: { expression: '1' } });
    expect([malformed.statusCode, malformed.json().error.code]).toEqual([400, 'invalid-input']);
    const notJson = await app.inject({ method: 'POST', url: '/tools/calculator/call', headers: { ...auth, 'content-type': 'application/json' }, payload: '{oops' });
    expect(notJson.statusCode).toBe(400);
  });

  it('refuses a public host without keys', async () => {
    await expect(startToolServer({ tools: tools(), host: '0.0.0.0' })).rejects.toMatchObject({ code: 'auth-exposed' });
  });

  it('without keys, answers inject()\'s default Host (localhost:80) but not another name', async () => {
    const open = buildToolServer({ tools: tools() });
    expect((await open.inject({ method: 'GET', url: '/tools' })).statusCode).toBe(200);
    expect((await open.inject({ method: 'GET', url: '/tools', headers: { host: 'evil.example' } })).statusCode).toBe(403);
    await open.close();
  });
});

describe('remote tools over HTTP', () => {
  let server: Awaited<ReturnType<typeof startToolServer>>;
  beforeAll(async () => {
    server = await startToolServer({ tools: tools(), apiKeys: ['k-123'] });
  });
  afterAll(() => server.close());

  it('a local agent uses remote tools, and a remote sandbox error surfaces as the same tool error', async () => {
    const remoteTools = await new RemoteToolClient(server.url, { apiKey: 'k-123' }).tools();
    expect(remoteTools.map((tool) => tool.name)).toEqual(['calculator', 'javascript']);
    const model = new ScriptedChatModel([
      'Action: calculator\nAction Input: 12 * 12',
      'Action: javascript\nAction Input: {"code": "for (;;) {}"}',
      'Action: calculator\nAction Input: {"expression": 7}',
      'Final Answer: 144',
    ]);
    const result = await new ReActAgent({ model, tools: remoteTools }).run('square 12');
    const observed = result.steps.filter((step) => step.type === 'observation').map((step) => (step.type === 'observation' ? step.result : null));
    expect(observed[0]).toEqual({ ok: true, output: { result: '144', value: 144 } });
    expect(observed[1]).toMatchObject({ ok: false, error: { code: 'time-limit' } });
    expect(observed[2]).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(result.answer).toBe('144');
  });

  it('a wrong key and a dead server are clear errors', async () => {
    await expect(new RemoteToolClient(server.url, { apiKey: 'bad' }).tools()).rejects.toMatchObject({ code: 'remote-unauthorized' });
    await expect(new RemoteToolClient('http://127.0.0.1:9').tools()).rejects.toMatchObject({ code: 'remote-unreachable' });
    const [calculator] = await new RemoteToolClient(server.url, { apiKey: 'k-123' }).tools();
    const stopped = await startToolServer({ tools: tools() });
    const [orphan] = await new RemoteToolClient(stopped.url).tools();
    await stopped.close();
    expect(await invokeTool(orphan, { expression: '1' })).toMatchObject({ ok: false, error: { code: 'remote-error' } });
    expect(await invokeTool(calculator, '1+1')).toMatchObject({ ok: true, output: { value: 2 } });
  });
});
