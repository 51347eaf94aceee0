/**
 * `chainlm-serve proxy`: one address in front of several chainlm-serve replicas, as
 * LMDeploy's proxy does for multi-node deployments.
 *
 * - Routing: the healthy upstream with the fewest outstanding requests (ties go
 *   round-robin), so long generations do not pile onto one replica.
 * - Health: `GET /health` on each upstream every `healthIntervalMs`; a failed
 *   connection also marks an upstream down at once.
 * - Retry: a request is retried on the next upstream only while no byte has been sent
 *   to the client (connection refused, reset before headers). After the first byte the
 *   client sees the upstream's own status and body, streamed through unchanged.
 * - A client that disconnects aborts the upstream request, so the replica frees its
 *   KV blocks.
 * - Exposure (core's auth module): with `apiKeys` every route but /health needs a
 *   bearer key (the Authorization header is forwarded, so upstreams may check the same
 *   keys); without keys the proxy binds loopback only (startProxy) and answers only a
 *   loopback Host header, unless `insecureNoAuth`.
 */
import { Readable } from 'node:stream';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ApiKeys, isLoopbackHostHeader, listenGuarded } from '@chainlm/core';
import { ApiError } from '../openai/errors.js';

export interface ProxyOptions {
  upstreams: string[];
  healthIntervalMs?: number;
  /** Upper bound on tries per request (default: the number of upstreams). */
  maxAttempts?: number;
  requestTimeoutMs?: number;
  /** Bearer keys clients must send; none: loopback clients only. */
  apiKeys?: string[];
  /** Serve without keys on a non-loopback host and skip the Host check (warned on every start). */
  insecureNoAuth?: boolean;
}

export interface UpstreamState {
  url: string;
  healthy: boolean;
  outstanding: number;
  served: number;
  failures: number;
  lastError: string | null;
}

export function createProxy(options: ProxyOptions): { app: FastifyInstance; upstreams: UpstreamState[]; checkHealth: () => Promise<void> } {
  if (options.upstreams.length === 0) throw new Error('the proxy needs at least one --upstream URL');
  const upstreams: UpstreamState[] = options.upstreams.map((url) => ({
    url: url.replace(/\/+$/, ''),
    healthy: true,
    outstanding: 0,
    served: 0,
    failures: 0,
    lastError: null,
  }));
  let turn = 0;
  const app = Fastify({ bodyLimit: 8 * 1024 * 1024 });

  const keys = new ApiKeys(options.apiKeys ?? []);
  const checkHost = !keys.required && !options.insecureNoAuth;
  app.addHook('onRequest', async (request) => {
    if (checkHost && !isLoopbackHostHeader(request.headers.host)) {
      throw new ApiError('forbidden', `Host "${request.headers.host ?? ''}" is not a loopback name: without API keys the proxy only answers http://127.0.0.1 or http://localhost`);
    }
    if (keys.required && request.url !== '/health' && !keys.accepts(request.headers.authorization)) {
      throw new ApiError('unauthorized', 'missing or invalid API key: send Authorization: Bearer <key>');
    }
  });

  const checkHealth = async () => {
    await Promise.all(
      upstreams.map(async (upstream) => {
        try {
          const response = await fetch(`${upstream.url}/health`, { signal: AbortSignal.timeout(2000) });
          upstream.healthy = response.ok;
          upstream.lastError = response.ok ? null : `health returned ${response.status}`;
        } catch (error) {
          upstream.healthy = false;
          upstream.lastError = (error as Error).message;
        }
      }),
    );
  };
  const timer = setInterval(() => void checkHealth(), options.healthIntervalMs ?? 5000);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));

  const pick = (tried: Set<UpstreamState>): UpstreamState | undefined => {
    const candidates = upstreams.filter((upstream) => upstream.healthy && !tried.has(upstream));
    if (candidates.length === 0) return undefined;
    const least = Math.min(...candidates.map((upstream) => upstream.outstanding));
    const tied = candidates.filter((upstream) => upstream.outstanding === least);
    return tied[turn++ % tied.length];
  };

  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const tried = new Set<UpstreamState>();
    const maxAttempts = options.maxAttempts ?? upstreams.length;
    const abort = new AbortController();
    // The response's close (not the request's, which fires once the body is read)
    // tells a client that went away from a finished reply.
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    let lastError = 'no healthy upstream';
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const upstream = pick(tried);
      if (!upstream) break;
      tried.add(upstream);
      upstream.outstanding++;
      let released = false;
      const release = () => {
        if (!released) {
          released = true;
          upstream.outstanding--;
        }
      };
      try {
        const response = await fetch(`${upstream.url}${request.url}`, {
          method: request.method,
          headers: forwardHeaders(request),
          body: request.method === 'GET' || request.method === 'HEAD' ? undefined : JSON.stringify(request.body ?? {}),
          signal: AbortSignal.any([abort.signal, AbortSignal.timeout(options.requestTimeoutMs ?? 600_000)]),
        });
        upstream.served++;
        reply.code(response.status);
        for (const [name, value] of response.headers) {
          if (!['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(name)) reply.header(name, value);
        }
        reply.header('x-chainlm-upstream', upstream.url);
        if (!response.body) {
          release();
          return reply.send();
        }
        const body = Readable.fromWeb(response.body as never);
        body.on('close', release);
        body.on('error', release);
        return reply.send(body);
      } catch (error) {
        release();
        if (abort.signal.aborted) return reply;
        upstream.healthy = false;
        upstream.failures++;
        upstream.lastError = (error as Error).message;
        lastError = `${upstream.url}: ${(error as Error).message}`;
      }
    }
    throw new ApiError('upstreamUnavailable', `no upstream could take the request (${lastError})`);
  };

  app.setErrorHandler((error, _request, reply) => {
    const apiError = error instanceof ApiError ? error : new ApiError(
      (error as { statusCode?: number }).statusCode === 400 ? 'invalidRequest' : 'internal',
      (error as Error).message,
    );
    reply.code(apiError.status).headers(apiError.headers).send(apiError.toBody());
  });
  app.get('/health', async (_request, reply) => {
    const healthy = upstreams.filter((upstream) => upstream.healthy).length;
    return reply.code(healthy > 0 ? 200 : 503).send({ status: healthy > 0 ? 'ok' : 'no healthy upstream', healthy, total: upstreams.length });
  });
  app.get('/proxy/status', async () => ({ upstreams }));
  app.route({ method: ['GET', 'POST'], url: '/v1/*', handler: forward });
  app.route({ method: ['GET'], url: '/metrics', handler: forward });
  return { app, upstreams, checkHealth };
}

function forwardHeaders(request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  for (const name of ['authorization', 'accept', 'x-request-id']) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

/** createProxy + a guarded listen: a non-loopback bind needs keys or a loud insecureNoAuth; a refused start leaves nothing listening. */
export async function startProxy(options: ProxyOptions & { host: string; port: number; warn?: (text: string) => void }): Promise<ReturnType<typeof createProxy> & { url: string }> {
  const proxy = createProxy(options);
  const url = await listenGuarded(proxy.app, {
    host: options.host,
    port: options.port,
    hasKeys: (options.apiKeys ?? []).some((key) => key.length > 0),
    insecureNoAuth: options.insecureNoAuth,
    component: 'chainlm-serve proxy',
    warn: options.warn,
  });
  return { ...proxy, url };
}
