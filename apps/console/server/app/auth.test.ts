import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookieName, cookieValue, normalizeRequestPath } from './auth.js';
import { createConsoleApp, type ConsoleApp } from './create-app.js';

const token = 'test-token-0123456789abcdef';

describe('session token', () => {
  let consoleApp: ConsoleApp;
  const home = mkdtempSync(join(tmpdir(), 'console-auth-'));
  beforeAll(async () => {
    consoleApp = await createConsoleApp({ home, token, webRoot: join(home, 'no-web-here') });
  });
  afterAll(async () => {
    await consoleApp.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('refuses /api without a token, with a wrong one, and accepts bearer or cookie', async () => {
    const { app } = consoleApp;
    const none = await app.inject({ url: '/api/health' });
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('console-unauthorized');
    expect(none.json().error.hint).toContain('?token=');
    expect((await app.inject({ url: '/api/health', headers: { authorization: 'Bearer nope-nope-nope-nope' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/health', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/health', headers: { cookie: `other=1; ${cookieName}=${token}` } })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/health', headers: { cookie: `${cookieName}=wrong` } })).statusCode).toBe(401);
  });

  it('turns ?token= into an HttpOnly SameSite=Strict cookie and drops it from the URL', async () => {
    const response = await consoleApp.app.inject({ url: `/training?run=a&token=${token}` });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/training?run=a');
    expect(String(response.headers['set-cookie'])).toMatch(new RegExp(`^${cookieName}=${token}; HttpOnly; SameSite=Strict; Path=/`));
    expect((await consoleApp.app.inject({ url: '/?token=wrong-token-wrong-token' })).statusCode).toBe(401);
  });

  it('says the front end is not built instead of serving nothing', async () => {
    const response = await consoleApp.app.inject({ url: '/datasets', headers: { cookie: `${cookieName}=${token}` } });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('npm run build -w apps/console');
  });

  it('reads paths as a lenient router would, and parses cookies', () => {
    for (const path of ['/%61pi/jobs', '/API/jobs', '//api//jobs', '/x/../api/jobs', '/./api/jobs?x=1', '/%2561pi/jobs', '\\api\\jobs']) expect(normalizeRequestPath(path), path).toBe('/api/jobs');
    expect(normalizeRequestPath('/../../api')).toBe('/api');
    expect(cookieValue('a=%E0%A4%A', 'a')).toBeUndefined();
    expect(cookieValue('a=1; b=x%3Dy', 'b')).toBe('x=y');
    expect(cookieValue(undefined, 'b')).toBeUndefined();
  });

  it('rejects a short token in the options', async () => {
    await expect(createConsoleApp({ home, token: 'short' })).rejects.toThrow(/token: a token must have at least 16 characters/);
  });
});
