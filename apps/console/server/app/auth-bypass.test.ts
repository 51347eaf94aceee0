/**
 * Ways around the console's token, tried over a real socket (raw HTTP, so no client
 * library normalises the path first) and judged by side effects: a job folder that
 * must not appear, SQL that must not run, data that must not come back.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { acceptsConnections, freePort, type ChainlmHome } from '@chainlm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeFixtureHome } from '../routes/test-fixtures.js';
import { startConsole, type StartedConsole } from './start-console.js';
import { cookieName } from './auth.js';

const token = 'bypass-test-token-0123456789';

interface RawResponse {
  status: number;
  body: string;
}

/** One HTTP/1.1 request written byte for byte. */
function raw(port: number, method: string, path: string, headers: Record<string, string> = {}, body = ''): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    const lines = [`${method} ${path} HTTP/1.1`, `Host: ${headers.Host ?? `127.0.0.1:${port}`}`, 'Connection: close'];
    for (const [name, value] of Object.entries(headers)) if (name !== 'Host') lines.push(`${name}: ${value}`);
    if (body) lines.push('Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('end', () => resolve({ status: Number(text.split(' ')[1]), body: text.slice(text.indexOf('\r\n\r\n') + 4) }));
  });
}

const jobBody = JSON.stringify({ kind: 'export', run: 'run-a' });
const sqlBody = JSON.stringify({ sql: "SELECT 'sql-ran' AS marker, count(*) AS n FROM notes" });

describe('console auth cannot be sidestepped', () => {
  let home: ChainlmHome;
  let started: StartedConsole;
  let port: number;
  const jobsCreated = () => (existsSync(home.path('jobs')) ? readdirSync(home.path('jobs')).length : 0);

  beforeAll(async () => {
    home = await makeFixtureHome();
    started = await startConsole({ home: home.root, token, port: 0, webRoot: join(home.root, 'no-web') });
    port = Number(new URL(started.address).port);
  });
  afterAll(async () => {
    await started.close();
    rmSync(home.root, { recursive: true, force: true });
  });

  const spellings = ['/%61pi', '/%2561pi', '/API', '/Api', '//api', '/./api', '/x/../api', '/api/.', '/%2fapi'];

  it.each(spellings)('refuses %s/datasets and %s/jobs without the token and leaks nothing', async (prefix) => {
    for (const path of [`${prefix}/datasets`, `${prefix}/jobs`, `${prefix}/evals`]) {
      const response = await raw(port, 'GET', path);
      expect([401, 404], `${path}: ${response.status}`).toContain(response.status);
      expect(response.body).not.toContain('notes');
      expect(response.body).not.toContain('run-a');
    }
  });

  it.each(spellings)('runs no SQL and starts no job through %s without the token', async (prefix) => {
    const before = jobsCreated();
    const sql = await raw(port, 'POST', `${prefix}/sql`, {}, sqlBody);
    expect([401, 404]).toContain(sql.status);
    expect(sql.body).not.toContain('sql-ran');
    const job = await raw(port, 'POST', `${prefix}/jobs`, {}, jobBody);
    expect([401, 404]).toContain(job.status);
    expect(jobsCreated()).toBe(before);
  });

  it('answers the same requests with the token (the test can tell success from refusal)', async () => {
    const authorization = `Bearer ${token}`;
    const sql = await raw(port, 'POST', '/%61pi/sql', { Authorization: authorization }, sqlBody);
    expect(sql.status).toBe(200);
    expect(sql.body).toContain('sql-ran');
    const datasets = await raw(port, 'GET', '/api/datasets', { Cookie: `${cookieName}=${token}` });
    expect(datasets.body).toContain('notes');
  });

  it('refuses a Host name that is not this machine (DNS rebinding), with or without the cookie', async () => {
    const rebound = await raw(port, 'GET', '/api/datasets', { Host: `attacker.example:${port}`, Cookie: `${cookieName}=${token}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('console-host-not-allowed');
    expect(rebound.body).not.toContain('notes');
    expect((await raw(port, 'GET', '/', { Host: '127.evil.example' })).status).toBe(403);
    expect((await raw(port, 'GET', '/api/health', { Host: `localhost:${port}`, Authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('refuses state-changing requests from another site even with the token', async () => {
    const before = jobsCreated();
    const headers = { Authorization: `Bearer ${token}`, Origin: 'https://attacker.example' };
    const job = await raw(port, 'POST', '/api/jobs', headers, jobBody);
    expect(job.status).toBe(403);
    expect(job.body).toContain('console-cross-site');
    const fetchMetadata = await raw(port, 'POST', '/api/sql', { Authorization: `Bearer ${token}`, 'Sec-Fetch-Site': 'cross-site' }, sqlBody);
    expect(fetchMetadata.status).toBe(403);
    expect(fetchMetadata.body).not.toContain('sql-ran');
    expect(jobsCreated()).toBe(before);
    const sameOrigin = await raw(port, 'POST', '/api/sql', { Authorization: `Bearer ${token}`, Origin: `http://127.0.0.1:${port}` }, sqlBody);
    expect(sameOrigin.status).toBe(200);
  });
});

describe('the SQL box reads only this home\'s datasets', () => {
  let home: ChainlmHome;
  let started: StartedConsole;
  beforeAll(async () => {
    home = await makeFixtureHome();
    started = await startConsole({ home: home.root, token, port: 0 });
  });
  afterAll(async () => {
    await started.close();
    rmSync(home.root, { recursive: true, force: true });
  });

  it.each([
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_json('/etc/os-release')",
    "SELECT * FROM glob('/etc/*')",
  ])('refuses %s', async (sql) => {
    const response = await started.app.inject({ method: 'POST', url: '/api/sql', payload: { sql }, headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('sql-access-denied');
    expect(response.body).not.toMatch(/root:x:0|\/etc\/passwd"?,|PRETTY_NAME/);
  });

  it('writes nothing with COPY … TO, even into the datasets folder', async () => {
    const target = home.path('datasets', 'notes', 'copied.csv');
    const response = await started.app.inject({ method: 'POST', url: '/api/sql', payload: { sql: `COPY (SELECT 1) TO '${target}'` }, headers: { authorization: `Bearer ${token}` } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('sql-read-only');
    expect(existsSync(target)).toBe(false);
  });
});


describe('binding beyond loopback', () => {
  it('refuses a random token on a non-loopback address and leaves no port open', async () => {
    const home = await makeFixtureHome();
    const port = await freePort();
    await expect(startConsole({ home: home.root, host: '0.0.0.0', port })).rejects.toThrow(/not loopback, with a random token/);
    expect(await acceptsConnections(port)).toBe(false);
    const chosen = await startConsole({ home: home.root, host: '0.0.0.0', port, token });
    try {
      expect(await acceptsConnections(port)).toBe(true);
      expect((await raw(port, 'GET', '/api/datasets')).status).toBe(401);
    } finally {
      await chosen.close();
      rmSync(home.root, { recursive: true, force: true });
    }
  });
});

describe('eval drill-down paths stay inside the run', () => {
  it.each([
    ['/api/evals/before_1/samples?model=..%2F..%2F..&dataset=x', 'query.model'],
    ['/api/evals/before_1/samples?model=tiny-a&dataset=..%2F..%2F..%2Fsecret', 'query.dataset'],
    ['/api/compare/samples?a=before_1&b=after_2&dataset=arithmetic&modelA=..%2F..%2F..', 'query.modelA'],
  ])('refuses %s', async (url, field) => {
    const home = await makeFixtureHome();
    const started = await startConsole({ home: home.root, token, port: 0 });
    try {
      const response = await started.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('path-outside-root');
      expect(response.json().error.message).toContain(field);
    } finally {
      await started.close();
      rmSync(home.root, { recursive: true, force: true });
    }
  });
});
