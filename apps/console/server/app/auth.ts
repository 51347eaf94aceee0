/**
 * Session-token auth. `chainlm console` prints a URL carrying `?token=…`; opening
 * it sets an HttpOnly, SameSite=Strict cookie and redirects to the same page
 * without the token, so the token never stays in the address bar or history.
 * Every /api route then needs the cookie or `Authorization: Bearer TOKEN`.
 * Tokens are compared as SHA-256 digests in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { consoleErrors } from './errors.js';

export const cookieName = 'chainlm_console';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined || given.length === 0) return false;
  return timingSafeEqual(digest(expected), digest(given));
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length).trim();
  return cookieValue(request.headers.cookie, cookieName);
}

export function registerAuth(app: FastifyInstance, token: string): void {
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const url = new URL(request.url, 'http://console.local');
    if (url.pathname.startsWith('/api/')) {
      if (!tokenMatches(token, presentedToken(request))) throw consoleErrors.unauthorized();
      return;
    }
    const queryToken = url.searchParams.get('token');
    if (request.method === 'GET' && queryToken !== null) {
      if (!tokenMatches(token, queryToken)) throw consoleErrors.unauthorized();
      url.searchParams.delete('token');
      reply
        .header('set-cookie', `${cookieName}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`)
        .redirect(`${url.pathname}${url.search}`, 302);
    }
  });
}
