/**
 * The OpenAI-compatible HTTP server: fastify with one plugin scope per concern.
 * Options are validated once (zod) and frozen. Security (core's auth module): bearer
 * keys, required unless the server is bound to loopback — judged on the resolved and
 * then the really bound address, or lifted by a loud `insecureNoAuth`; without keys a
 * Host header that is not a loopback name gets 403 (DNS rebinding); per-key token
 * buckets, no CORS headers, no route that reads or writes a file named by the request. Robustness: a bounded
 * number of requests in flight (429 + Retry-After beyond it), request timeouts,
 * cancellation on disconnect, and a graceful close that drains running requests.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiKeys, ChainlmError, assertBindAllowed, isLoopbackHostHeader, listenGuarded, validateConfig } from '@chainlm/core';
import { EngineError, isEngineErrorCode } from '@chainlm/engine';
import { ApiError } from '../openai/errors.js';
import { chatRoute } from '../routes/chat.js';
import { completionsRoute } from '../routes/completions.js';
import { createMetrics, metricsRoute } from '../routes/metrics.js';
import { miscRoutes } from '../routes/misc.js';
import { loraRoutes } from '../routes/lora.js';
import { attachAdapter } from '../lora/attach-adapter.js';
import { RateLimiter } from '../security/rate-limit.js';
import { createContext } from './context.js';
import type { ServedModel } from './served-model.js';
import { engineApiError } from '../openai/engine-errors.js';

export const serverOptionsSchema = z.strictObject({
  host: z.string().default('127.0.0.1'),
  apiKeys: z.array(z.string().min(8, 'API keys must be at least 8 characters')).default([]),
  /** Serve without keys on a non-loopback host, and skip the Host check (warned on every start). */
  insecureNoAuth: z.boolean().default(false),
  /** Requests in flight (running + queued) before new ones get 429. */
  maxQueue: z.number().int().positive().default(256),
  /**
   * Requests per second per API key (a token bucket; 0 = no limit). Without keys the
   * server only accepts this machine's own clients and does not rate-limit them.
   */
  rateLimitPerSecond: z.number().nonnegative().default(100),
  rateLimitBurst: z.number().int().positive().default(200),
  requestTimeoutMs: z.number().int().positive().default(600_000),
  /** Default max_tokens when a request gives none. */
  maxTokens: z.number().int().positive().default(256),
  /** How long close() waits for running requests before aborting them. */
  drainTimeoutMs: z.number().int().nonnegative().default(30_000),
  bodyLimitBytes: z.number().int().positive().default(4 * 1024 * 1024),
  /** LoRA adapters loaded at start (paths from the operator, not checked against the root). */
  adapters: z.array(z.strictObject({ name: z.string(), path: z.string(), model: z.string().optional() })).default([]),
  /** Folder that run-time /v1/load_lora_adapter paths must lie in; none: run-time loads refused. */
  adapterRoot: z.string().optional(),
});

export type ServerOptionsInput = z.input<typeof serverOptionsSchema>;

const generationRoutes = new Set(['/v1/completions', '/v1/chat/completions']);

export async function createServer(models: ServedModel[], input: ServerOptionsInput = {}): Promise<FastifyInstance> {
  const options = validateConfig(input, serverOptionsSchema, 'server options');
  if (models.length === 0) throw new ChainlmError('server-no-model', 'the server needs at least one model', { exitCode: 2 });
  const keys = new ApiKeys(options.apiKeys);
  // Checked here on the resolved host (so no model loads for a refused start) and again
  // on the bound address by startServer; a caller that listens itself gets this one.
  await assertBindAllowed({ host: options.host, hasKeys: keys.required, insecureNoAuth: options.insecureNoAuth, component: 'chainlm-serve' });
  const checkHost = !keys.required && !options.insecureNoAuth;
  const app = Fastify({ bodyLimit: options.bodyLimitBytes, return503OnClosing: true });
  let metrics: ReturnType<typeof createMetrics> | undefined;
  const adapterRoot = options.adapterRoot === undefined ? undefined : realAdapterRoot(options.adapterRoot);
  const context = createContext(models, { ...options, adapterRoot, observe: (model, finished) => metrics?.observe(model, finished), forget: (model) => metrics?.forget(model) });
  for (const adapter of options.adapters) {
    try {
      await attachAdapter(context, adapter.name, resolve(adapter.path), adapter.model);
    } catch (error) {
      throw new ChainlmError('server-adapter-invalid', `adapter ${adapter.name}=${adapter.path}: ${(error as Error).message}`, { hint: (error as ChainlmError).hint ?? 'give name=path of a PEFT LoRA folder trained on this base', exitCode: 2 });
    }
  }
  metrics = createMetrics(context);
  const limiter = new RateLimiter(options.rateLimitPerSecond, options.rateLimitBurst);
  let inFlight = 0;
  let closing = false;

  app.addHook('onRequest', async (request) => {
    if (checkHost && !isLoopbackHostHeader(request.headers.host)) {
      throw new ApiError('forbidden', `Host "${request.headers.host ?? ''}" is not a loopback name: without API keys this server only answers http://127.0.0.1 or http://localhost`);
    }
    if (request.url === '/health') return;
    const keyIndex = keys.required ? keys.match(request.headers.authorization) : -1;
    if (keys.required && keyIndex < 0) throw new ApiError('unauthorized', 'missing or invalid API key: send Authorization: Bearer <key>');
    const wait = keys.required && options.rateLimitPerSecond > 0 ? limiter.take(`key:${keyIndex}`) : 0;
    if (wait > 0) throw new ApiError('rateLimited', 'rate limit exceeded for this API key', { headers: { 'retry-after': String(Math.ceil(wait)) } });
  });
  app.addHook('preHandler', async (request, reply) => {
    if (!generationRoutes.has(request.routeOptions.url ?? '')) return;
    if (closing) throw new ApiError('shuttingDown', 'the server is shutting down');
    if (inFlight >= options.maxQueue) {
      throw new ApiError('queueFull', `the server has ${inFlight} requests in flight (limit ${options.maxQueue}); retry later`, { headers: { 'retry-after': '1' } });
    }
    inFlight++;
    // A response's 'close' fires once it is finished or its client went away, for
    // plain and hijacked (streamed) replies alike.
    reply.raw.once('close', () => inFlight--);
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics?.countRequest(request.routeOptions.url ?? 'unknown', reply.statusCode);
  });
  app.setErrorHandler((error, _request, reply) => {
    const apiError = toApiError(error);
    if (apiError.kind === 'internal') app.log.error(error);
    if (reply.sent || reply.raw.headersSent) {
      if (!reply.raw.writableEnded) reply.raw.end();
      return;
    }
    reply.code(apiError.status).headers(apiError.headers).send(apiError.toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new ApiError('notFound', `no route ${request.method} ${request.url}`);
    reply.code(error.status).send(error.toBody());
  });
  app.get('/health', async () => ({ status: closing ? 'draining' : 'ok', models: [...context.models.keys()], inFlight }));
  completionsRoute(app, context);
  chatRoute(app, context);
  miscRoutes(app, context);
  loraRoutes(app, context);
  metricsRoute(app, metrics);

  app.addHook('preClose', async () => {
    closing = true;
    const deadline = Date.now() + options.drainTimeoutMs;
    while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const model of models) await model.engine.close();
  });
  return app;
}

/**
 * createServer + listen, guarded: a bind that is not loopback needs keys (or
 * insecureNoAuth, printed as a warning), judged on the address really bound; a refused
 * start leaves nothing listening and the engines closed.
 */
export async function startServer(models: ServedModel[], input: ServerOptionsInput & { port: number; warn?: (text: string) => void }): Promise<{ app: FastifyInstance; url: string }> {
  const { port, warn, ...serverInput } = input;
  const app = await createServer(models, serverInput);
  const url = await listenGuarded(app, {
    host: serverInput.host ?? '127.0.0.1',
    port,
    hasKeys: (serverInput.apiKeys ?? []).length > 0,
    insecureNoAuth: serverInput.insecureNoAuth,
    component: 'chainlm-serve',
    warn,
  });
  return { app, url };
}

function realAdapterRoot(root: string): string {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new ChainlmError('server-adapter-root', `adapter root ${root} is not a folder`, { hint: 'create it, or drop --adapter-root to refuse run-time adapter loads', exitCode: 2 });
  }
  return realpathSync(root);
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof EngineError && isEngineErrorCode(error.code)) return engineApiError(error.code, error.message, (error as { field?: string }).field ?? null);
  if (error instanceof ChainlmError) {
    if (error.exitCode === 2) return new ApiError('invalidRequest', error.message, { param: (error as { field?: string }).field ?? null });
  }
  const status = (error as { statusCode?: number }).statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return new ApiError('invalidRequest', (error as Error).message);
  }
  return new ApiError('internal', 'internal server error');
}
