/**
 * `chainlm-serve proxy`: one address in front of several chainlm-serve replicas, as
 * LMDeploy's proxy does for multi-node deployments.
 *
 * - Targets: static `upstreams` (assumed to serve every model) and serving workers
 *   that registered themselves (worker-routes.ts; only those serving the request's
 *   `model` are candidates, and one silent past `workerTimeoutMs` is dropped).
 * - Routing: the least-loaded target, ties round-robin. Least-loaded rather than plain
 *   round-robin because generations differ in length by orders of magnitude: rotating
 *   blindly piles long requests onto one engine while another idles. Load is this
 *   proxy's own outstanding requests, plus — for a worker — what others sent it as of
 *   its last heartbeat (estimatedLoad); a worker at its capacity is passed over while
 *   another has room. With equal loads (e.g. an idle fleet) it is round-robin.
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
import { z } from 'zod';
import { ApiKeys, isLoopbackHostHeader, listenGuarded } from '@chainlm/core';
import { ApiError } from '../openai/errors.js';
import { modelCardSchema, type ModelCard } from './worker-protocol.js';
import { estimatedLoad, WorkerRegistry, type WorkerState } from './worker-registry.js';
import { workerRoutes, workerWriteRoutes } from './worker-routes.js';
import { describeError } from './describe-error.js';

export interface ProxyOptions {
  /** Static upstream URLs (may be empty when workers register themselves). */
  upstreams: string[];
  healthIntervalMs?: number;
  /** A registered worker silent for longer than this is dropped (default 15 s). */
  workerTimeoutMs?: number;
  /** Lines for the operator: workers registering, leaving, dropped. */
  log?: (message: string) => void;
  /** Upper bound on tries per request (default: the number of upstreams). */
  maxAttempts?: number;
  requestTimeoutMs?: number;
  /** Bearer keys clients must send; none: loopback clients only. */
  apiKeys?: string[];
  /** Serve without keys on a non-loopback host and skip the Host check (warned on every start). */
  insecureNoAuth?: boolean;
  /**
   * Keys that alone may register, heartbeat and deregister workers (then client keys may
   * not); none: any client key may (and without client keys, loopback peers only).
   */
  workerApiKeys?: string[];
}

export interface UpstreamState {
  url: string;
  healthy: boolean;
  outstanding: number;
  served: number;
  failures: number;
  lastError: string | null;
}

/** What a request can be sent to: a static upstream or a registered worker. */
type Target = UpstreamState | WorkerState;
const isWorker = (target: Target): target is WorkerState => 'capacity' in target;

export function createProxy(options: ProxyOptions): { app: FastifyInstance; upstreams: UpstreamState[]; workers: WorkerRegistry; checkHealth: () => Promise<void> } {
  const log = options.log ?? (() => {});
  const upstreams: UpstreamState[] = options.upstreams.map((url) => ({
    url: url.replace(/\/+$/, ''),
    healthy: true,
    outstanding: 0,
    served: 0,
    failures: 0,
    lastError: null,
  }));
  const workers = new WorkerRegistry(options.workerTimeoutMs ?? 15_000);
  let turn = 0;
  const app = Fastify({ bodyLimit: 8 * 1024 * 1024 });

  const keys = new ApiKeys(options.apiKeys ?? []);
  const workerKeys = new ApiKeys(options.workerApiKeys ?? []);
  const checkHost = !keys.required && !options.insecureNoAuth;
  app.addHook('onRequest', async (request) => {
    if (checkHost && !isLoopbackHostHeader(request.headers.host)) {
      throw new ApiError('forbidden', `Host "${request.headers.host ?? ''}" is not a loopback name: without API keys the proxy only answers http://127.0.0.1 or http://localhost`);
    }
    // Worker writes are judged by worker-routes (worker keys, client keys or a loopback peer), on the matched route, not the raw URL.
    if (isWorkerWrite(request)) return;
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
  // Checked at a quarter of the timeout, so a worker is dropped at most 1.25 timeouts after its last heartbeat (pick skips it from the timeout on).
  const expiry = setInterval(() => {
    for (const worker of workers.expire(Date.now())) log(`worker ${worker.url} dropped: no heartbeat for ${workers.timeoutMs} ms`);
  }, Math.max(20, Math.min(1000, workers.timeoutMs / 4)));
  expiry.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    clearInterval(expiry);
  });

  const pick = (model: string | undefined, tried: Set<Target>): Target | undefined => {
    const scored = [
      ...upstreams.filter((upstream) => upstream.healthy && !tried.has(upstream)).map((target) => ({ target, load: target.outstanding, full: false })),
      ...workers
        .candidates(model, Date.now())
        .filter((worker) => !tried.has(worker))
        .map((target) => ({ target, load: estimatedLoad(target), full: estimatedLoad(target) >= target.capacity })),
    ];
    const withRoom = scored.filter((entry) => !entry.full);
    const pool = withRoom.length > 0 ? withRoom : scored;
    if (pool.length === 0) return undefined;
    const least = Math.min(...pool.map((entry) => entry.load));
    const tied = pool.filter((entry) => entry.load === least);
    return tied[turn++ % tied.length].target;
  };

  /** 404 for a model no registered worker serves (unreachable ones count: that is a 502) when there is no static upstream that might. */
  const checkModelServed = (model: string | undefined) => {
    if (model === undefined || upstreams.length > 0 || workers.size === 0) return;
    const registered = workers.all();
    if (registered.some((worker) => worker.models.some((card) => card.id === model))) return;
    const available = [...new Set(registered.flatMap((worker) => worker.models.map((card) => card.id)))].join(', ');
    throw new ApiError('modelNotFound', `no registered worker serves the model "${model}"; available: ${available || 'none'}`, { param: 'model' });
  };

  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const model = modelOf(request.body);
    checkModelServed(model);
    const tried = new Set<Target>();
    const maxAttempts = options.maxAttempts ?? upstreams.length + workers.size;
    const abort = new AbortController();
    // The response's close (not the request's, which fires once the body is read)
    // tells a client that went away from a finished reply.
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
    });
    let lastError = upstreams.length + workers.size === 0 ? 'no upstream given and no worker registered' : 'no healthy upstream';
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const upstream = pick(model, tried);
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
        if (isWorker(upstream)) upstream.state = 'unreachable';
        else upstream.healthy = false;
        upstream.failures++;
        upstream.lastError = describeError(error);
        lastError = `${upstream.url}: ${upstream.lastError}`;
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
    const healthy = upstreams.filter((upstream) => upstream.healthy).length + workers.candidates(undefined, Date.now()).length;
    return reply.code(healthy > 0 ? 200 : 503).send({ status: healthy > 0 ? 'ok' : 'no healthy upstream', healthy, total: upstreams.length + workers.size });
  });
  app.get('/proxy/status', async () => ({ upstreams }));
  workerRoutes(app, workers, { keys: workerKeys.required ? workerKeys : keys, log });
  // The union of the live workers' models (as they last reported them) and each healthy static upstream's /v1/models; the first card for a name wins.
  app.get('/v1/models', async (request) => {
    const cards = workers.candidates(undefined, Date.now()).flatMap((worker) => worker.models);
    const fromUpstreams = await Promise.all(upstreams.filter((upstream) => upstream.healthy).map((upstream) => upstreamModels(upstream.url, forwardHeaders(request))));
    const byId = new Map<string, ModelCard>();
    for (const card of [...cards, ...fromUpstreams.flat()]) if (!byId.has(card.id)) byId.set(card.id, card);
    return { object: 'list', data: [...byId.values()] };
  });
  app.route({ method: ['GET', 'POST'], url: '/v1/*', handler: forward });
  app.route({ method: ['GET'], url: '/metrics', handler: forward });
  return { app, upstreams, workers, checkHealth };
}

function isWorkerWrite(request: FastifyRequest): boolean {
  return (request.method === 'POST' || request.method === 'DELETE') && workerWriteRoutes.has(request.routeOptions.url ?? '');
}

function modelOf(body: unknown): string | undefined {
  const model = body !== null && typeof body === 'object' ? (body as { model?: unknown }).model : undefined;
  return typeof model === 'string' ? model : undefined;
}

const modelListSchema = z.object({ data: z.array(modelCardSchema) });

/** A static upstream's model cards; none when it cannot answer (it is then simply left out of the union). */
async function upstreamModels(url: string, headers: Record<string, string>): Promise<ModelCard[]> {
  try {
    const response = await fetch(`${url}/v1/models`, { headers, signal: AbortSignal.timeout(5000) });
    const parsed = modelListSchema.safeParse(response.ok ? await response.json() : null);
    return parsed.success ? parsed.data.data : [];
  } catch {
    return [];
  }
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
