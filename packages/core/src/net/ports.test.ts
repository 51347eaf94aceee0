import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { acceptsConnections, freePort } from './ports.js';

describe('freePort and acceptsConnections', () => {
  it('finds a port nothing listens on, and sees a listener appear on it', async () => {
    const port = await freePort();
    expect(await acceptsConnections(port)).toBe(false);
    const server = createServer().listen(port, '127.0.0.1');
    await new Promise((resolveListen) => server.once('listening', resolveListen));
    try {
      expect(await acceptsConnections(port)).toBe(true);
    } finally {
      await new Promise((resolveClose) => server.close(resolveClose));
    }
  });
});
