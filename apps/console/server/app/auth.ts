/**
 * Who may talk to the console. Three checks, in one onRequest hook that runs after
 * the router has matched the request:
 *
 * 1. Host: the console answers only to localhost, IP literals, its --host and the
 *    names in --allow-host. A web page that rebinds its own domain to this machine
 *    still sends its own name, so it gets 403 (DNS-rebinding defence).
 * 2. Origin: a state-changing request (anything but GET/HEAD/OPTIONS) that carries
 *    an Origin other than the console's own, or that the browser marks cross-site,
 *    is refused, so a page the user has open elsewhere cannot drive the console.
 * 3. Token: every API route needs the session token (cookie or `Authorization:
 *    Bearer`). "API route" is decided twice and either suffices: by the route
 *    pattern the router matched (`request.routeOptions.url`), and by the request
 *    path normalised the way a router might read it (percent-decoded, lower-cased,
 *    slashes collapsed, dot segments resolved). So `/%61pi/jobs`, `/API/jobs`,
 *    `//api/jobs` and `/x/../api/jobs` all need the token. Anything else the
 *    console serves is the static front end, which holds no data.
 *
 * `chainlm console` prints a URL carrying `?token=…`; opening it sets an HttpOnly,
 * SameSite=Strict cookie and redirects to the same page without the token.
 */
import { ApiKeys, isLoopbackHostHeader } from '@chainlm/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isIP } from 'node:net';
import { consoleErrors } from './errors.js';

export const cookieName = 'chainlm_console';

export interface AuthOptions {
  token: string;
  /** --host as given (a name there is accepted in the Host header). */
  host: string;
  /** Further host names the console answers to. */
  allowedHosts: readonly string[];
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) {
      try {
        return decodeURIComponent(rest.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The token a request presents, as an Authorization header ApiKeys can judge. */
function presentedAuthorization(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) return header;
  const cookie = cookieValue(request.headers.cookie, cookieName);
  return cookie === undefined ? undefined : `Bearer ${cookie}`;
}

/** The path as a lenient router could read it: decoded, lower-case, no empty or dot segments. */
export function normalizeRequestPath(url: string): string {
  const raw = url.split(/[?#]/, 1)[0] ?? '';
  const segments: string[] = [];
  for (const part of raw.split(/[/\\]+/)) {
    let decoded = part;
    for (let round = 0; round < 3 && /%[0-9a-f]{2}/i.test(decoded); round++) {
      try {
        decoded = decodeURIComponent(decoded);
      } catch {
        break;
      }
    }
    for (const piece of decoded.toLowerCase().split(/[/\\]+/)) {
      if (piece === '' || piece === '.') continue;
      if (piece === '..') segments.pop();
      else segments.push(piece);
    }
  }
  return `/${segments.join('/')}`;
}

const isApiPath = (path: string | undefined) => path !== undefined && (path === '/api' || path.toLowerCase().startsWith('/api/'));

/** Whether this request reaches (or could reach, however spelled) an API route. */
export function needsToken(request: FastifyRequest): boolean {
  return isApiPath(request.routeOptions.url) || isApiPath(normalizeRequestPath(request.url));
}

function hostName(header: string | undefined): string | undefined {
  const match = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(header?.trim() ?? '');
  return match?.[1]?.toLowerCase().replace(/\.$/, '');
}

export function hostAllowed(header: string | undefined, options: AuthOptions): boolean {
  if (isLoopbackHostHeader(header)) return true;
  const name = hostName(header);
  if (name === undefined) return false;
  // A rebinding page has a DNS name; an IP literal is what a user types to reach a bound interface.
  if (isIP(name.replace(/^\[|\]$/g, '')) !== 0) return true;
  return name === options.host.toLowerCase() || options.allowedHosts.includes(name);
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A state-changing request from another site: Origin names another host, or the browser says cross-site. */
export function crossSite(request: FastifyRequest): boolean {
  if (safeMethods.has(request.method)) return false;
  if (request.headers['sec-fetch-site'] === 'cross-site') return true;
  const origin = request.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host.toLowerCase() !== (request.headers.host ?? '').toLowerCase();
  } catch {
    return true; // "null" or garbage: a sandboxed frame or a file: page
  }
}

export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const keys = new ApiKeys([options.token]);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (!hostAllowed(request.headers.host, options)) throw consoleErrors.hostNotAllowed(String(request.headers.host ?? ''));
    if (crossSite(request)) throw consoleErrors.crossSite(String(request.headers.origin ?? request.headers['sec-fetch-site']));
    if (needsToken(request)) {
      if (!keys.accepts(presentedAuthorization(request))) throw consoleErrors.unauthorized();
      return;
    }
    const url = new URL(request.url, 'http://console.local');
    const queryToken = url.searchParams.get('token');
    if (request.method === 'GET' && queryToken !== null) {
      if (!keys.accepts(`Bearer ${queryToken}`)) throw consoleErrors.unauthorized();
      url.searchParams.delete('token');
      reply
        .header('set-cookie', `${cookieName}=${encodeURIComponent(options.token)}; HttpOnly; SameSite=Strict; Path=/`)
        .redirect(`${url.pathname}${url.search}`, 302);
    }
  });
}
