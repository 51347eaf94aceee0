/**
 * Who can reach chainlm-serve and its proxy, judged on real sockets: a non-loopback
 * bind (0.0.0.0) without keys must not start and must leave no port listening; with
 * keys it answers 401 without one; on loopback without keys a foreign Host header
 * (DNS rebinding) gets 403. Traffic only ever goes to 127.0.0.1.
 */
import { request as httpRequest } from 'node:http';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { acceptsConnections, freePort, runProgram } from '@chainlm/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../app/create-server.js';
import { loadServedModel } from '../app/load-model.js';
import { program } from '../cli/program.js';
import { startProxy } from '../proxy/proxy.js';
import { makeTinyChatModel } from '../testing/tiny-chat-model.js';

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest({ host: '127.0.0.1', port, path, headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    sent.on('error', reject);
    sent.end();
  });
}

const portOf = (url: string) => Number(new URL(url).port);
const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

describe('chainlm-serve exposure', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTinyChatModel(undefined, { steps: 5 });
  }, 120_000);
  const model = () => loadServedModel(dir, { id: 'tiny', engine: { maxSeqs: 2 } });

  it('on loopback without keys, refuses a foreign Host header (DNS rebinding) and serves loopback names', async () => {
    const { app, url } = await startServer([await model()], { host: '127.0.0.1', port: 0 });
    apps.push(app);
    const port = portOf(url);
    expect(await get(port, '/v1/models', { host: 'evil.example' })).toBe(403);
    expect(await get(port, '/health', { host: '127.evil.example' })).toBe(403);
    expect(await get(port, '/v1/models', { host: `127.0.0.1:${port}` })).toBe(200);
    expect(await get(port, '/v1/models', { host: `localhost:${port}` })).toBe(200);
    expect((await app.inject({ url: '/v1/models' })).statusCode).toBe(200);
  });

  it('refuses to start on 0.0.0.0 without keys, leaving nothing listening', async () => {
    const port = await freePort();
    await expect(startServer([await model()], { host: '0.0.0.0', port })).rejects.toMatchObject({ code: 'auth-exposed' });
    expect(await acceptsConnections(port)).toBe(false);
  });

  it('on 0.0.0.0 with keys, answers 401 without the key and 200 with it, under any Host', async () => {
    const { app, url } = await startServer([await model()], { host: '0.0.0.0', port: 0, apiKeys: ['exposure-key-01'] });
    apps.push(app);
    const port = portOf(url);
    expect(await get(port, '/v1/models', { host: 'llm.example' })).toBe(401);
    expect(await get(port, '/v1/models', { authorization: 'Bearer exposure-key-02' })).toBe(401);
    expect(await get(port, '/v1/models', { host: 'llm.example', authorization: 'Bearer exposure-key-01' })).toBe(200);
  });

  it('on 0.0.0.0 with --insecure-no-auth, starts and prints the warning', async () => {
    const warnings: string[] = [];
    const { app, url } = await startServer([await model()], { host: '0.0.0.0', port: 0, insecureNoAuth: true, warn: (text) => warnings.push(text) });
    apps.push(app);
    expect(warnings.join('')).toMatch(/WARNING: chainlm-serve runs with --insecure-no-auth/);
    expect(await get(portOf(url), '/v1/models', { host: 'llm.example' })).toBe(200);
  });
}, 120_000);

describe('chainlm-serve proxy exposure', () => {
  // The upstream is never contacted by these routes (/proxy/status, /health).
  const upstreams = ['http://127.0.0.1:9'];

  it('refuses to start on 0.0.0.0 without keys, leaving nothing listening', async () => {
    const port = await freePort();
    await expect(startProxy({ upstreams, host: '0.0.0.0', port })).rejects.toMatchObject({ code: 'auth-exposed' });
    expect(await acceptsConnections(port)).toBe(false);
  });

  it('on 0.0.0.0 with keys, answers 401 without the key and 200 with it', async () => {
    const { app, url } = await startProxy({ upstreams, host: '0.0.0.0', port: 0, apiKeys: ['proxy-key-0001'] });
    apps.push(app);
    const port = portOf(url);
    expect(await get(port, '/proxy/status')).toBe(401);
    expect(await get(port, '/v1/models', { authorization: 'Bearer nope' })).toBe(401);
    expect(await get(port, '/proxy/status', { authorization: 'Bearer proxy-key-0001' })).toBe(200);
  });

  it('on loopback without keys, refuses a foreign Host header', async () => {
    const { app, url } = await startProxy({ upstreams, host: '127.0.0.1', port: 0 });
    apps.push(app);
    const port = portOf(url);
    expect(await get(port, '/proxy/status', { host: 'evil.example' })).toBe(403);
    expect(await get(port, '/proxy/status', { host: `127.0.0.1:${port}` })).toBe(200);
  });
});

describe('chainlm-serve CLI refusals (in-process)', () => {
  async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (chunk) => (text += chunk));
    const code = await runProgram(program, args, { stdout: new PassThrough(), stderr });
    return { code, stderr: text };
  }

  it('proxy --host 0.0.0.0 without a key exits 2 and leaves nothing listening', async () => {
    const port = await freePort();
    const { code, stderr } = await cli(['proxy', '--upstream', 'http://127.0.0.1:9', '--host', '0.0.0.0', '--port', String(port)]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/chainlm-serve proxy: refusing to serve on 0\.0\.0\.0, which is not a loopback address, without API keys/);
    expect(stderr).toMatch(/--insecure-no-auth/);
    expect(await acceptsConnections(port)).toBe(false);
  });

  it('serve --host 0.0.0.0 without a key exits 2 before loading the model', async () => {
    const { code, stderr } = await cli(['serve', '/nonexistent/model', '--host', '0.0.0.0']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/chainlm-serve: refusing to serve on 0\.0\.0\.0/);
  });
});
