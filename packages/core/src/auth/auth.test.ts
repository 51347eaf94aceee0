import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ApiKeys, bearerToken, loadApiKeys, readApiKeysFile } from './api-keys.js';
import { assertExposureAllowed, listenGuarded, type GuardedListener } from './exposure.js';
import { isLoopbackAddress, isLoopbackHostHeader } from './loopback.js';
import { acceptsConnections } from '../net/ports.js';

/** A node:http server as listenGuarded sees a fastify instance. */
function httpListener(): GuardedListener & { server: Server } {
  const server = createServer((_request, response) => response.end('ok'));
  return {
    server,
    listen: ({ host, port }) => new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(`http://${host}:${(server.address() as { port: number }).port}`));
    }),
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
    addresses: () => (server.listening ? [server.address() as { address: string }] : []),
  };
}

describe('loopback addresses', () => {
  it('judges IP literals, never name prefixes', () => {
    for (const ip of ['127.0.0.1', '127.255.0.9', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', '::ffff:7f00:1']) expect(isLoopbackAddress(ip), ip).toBe(true);
    for (const ip of ['127.evil.example', 'localhost', '0.0.0.0', '::', '10.0.0.1', '::ffff:10.0.0.1', '128.0.0.1', '1.127.0.0.1', '']) expect(isLoopbackAddress(ip), ip).toBe(false);
  });

  it('accepts only loopback names in a Host header', () => {
    for (const host of ['localhost', 'localhost:80', 'LOCALHOST:8765', '127.0.0.1:23333', '[::1]:8080', 'localhost.']) expect(isLoopbackHostHeader(host), host).toBe(true);
    for (const host of ['evil.example', 'evil.example:80', '127.evil.example', 'localhost.evil.example', '0.0.0.0:80', undefined, '', '[::1']) expect(isLoopbackHostHeader(host), String(host)).toBe(false);
  });
});

describe('API keys', () => {
  it('parses bearer headers and matches every key in constant time', () => {
    expect(bearerToken('Bearer abc ')).toBe('abc');
    expect(bearerToken('bearer  abc')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    const keys = new ApiKeys(['k1', 'k2', '']);
    expect([keys.match('Bearer k2'), keys.match('Bearer k3'), keys.match(undefined), keys.match('Bearer ')]).toEqual([1, -1, -1, -1]);
    expect(new ApiKeys(['']).required).toBe(false);
  });

  it('loads keys from flags, a file, or the environment when neither is given', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'chainlm-keys-')), 'keys');
    writeFileSync(file, '# team keys\nkey-one\n\nkey-two # ci\n');
    expect(readApiKeysFile(file)).toEqual(['key-one', 'key-two']);
    expect(loadApiKeys({ keys: ['a'], file, envName: 'K', env: { K: 'env' } })).toEqual(['a', 'key-one', 'key-two']);
    expect(loadApiKeys({ envName: 'K', env: { K: 'env' } })).toEqual(['env']);
    expect(loadApiKeys({ envName: 'K', env: {} })).toEqual([]);
    writeFileSync(file, '# none\n');
    expect(() => readApiKeysFile(file)).toThrow(/holds no keys/);
    expect(() => readApiKeysFile(`${file}-missing`)).toThrow(/cannot read/);
  });
});

describe('exposure guard', () => {
  it('refuses a non-loopback address without keys unless --insecure-no-auth', () => {
    expect(() => assertExposureAllowed({ boundAddress: '0.0.0.0', hasKeys: false, component: 'test' })).toThrow(expect.objectContaining({ code: 'auth-exposed' }));
    expect(() => assertExposureAllowed({ boundAddress: '127.evil.example', hasKeys: false, component: 'test' })).toThrow(/not a loopback/);
    expect(() => assertExposureAllowed({ boundAddress: '0.0.0.0', hasKeys: true, component: 'test' })).not.toThrow();
    expect(() => assertExposureAllowed({ boundAddress: '0.0.0.0', hasKeys: false, insecureNoAuth: true, component: 'test' })).not.toThrow();
    expect(() => assertExposureAllowed({ boundAddress: '::ffff:127.0.0.1', hasKeys: false, component: 'test' })).not.toThrow();
  });

  it('never opens a refused port, and binds 0.0.0.0 with keys or with a loud --insecure-no-auth', async () => {
    const refused = httpListener();
    await expect(listenGuarded(refused, { host: '0.0.0.0', port: 0, hasKeys: false, component: 'test' })).rejects.toMatchObject({ code: 'auth-exposed' });
    expect(refused.server.listening).toBe(false);

    const keyed = httpListener();
    const url = await listenGuarded(keyed, { host: '0.0.0.0', port: 0, hasKeys: true, component: 'test' });
    const port = Number(new URL(url).port);
    expect(await acceptsConnections(port)).toBe(true);
    await keyed.close();
    expect(await acceptsConnections(port)).toBe(false);

    const warnings: string[] = [];
    const open = httpListener();
    await listenGuarded(open, { host: '0.0.0.0', port: 0, hasKeys: false, insecureNoAuth: true, component: 'test', warn: (text) => warnings.push(text) });
    expect(warnings.join('')).toMatch(/WARNING: test runs with --insecure-no-auth on 0\.0\.0\.0:\d+/);
    await open.close();
  });

  it('judges a hostname by what it resolves to and binds', async () => {
    const local = httpListener();
    await listenGuarded(local, { host: 'localhost', port: 0, hasKeys: false, component: 'test' });
    expect(local.server.listening).toBe(true);
    await local.close();
    // A name that does not resolve is refused before anything is bound.
    const unknown = httpListener();
    await expect(listenGuarded(unknown, { host: '127.evil.invalid', port: 0, hasKeys: false, component: 'test' })).rejects.toThrow();
    expect(unknown.server.listening).toBe(false);
  });
});
