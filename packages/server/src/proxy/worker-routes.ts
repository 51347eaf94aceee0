/**
 * The proxy's worker endpoints (protocol in worker-protocol.ts). Who may register:
 * registering makes the proxy send clients' requests — prompts and their Authorization
 * headers — to the advertised URL, so it is at least as privileged as any request. With
 * worker keys (--worker-api-keys) only those may register, heartbeat and deregister;
 * else with client keys any of them may; without keys only a loopback peer, judged on
 * the socket's remote address — also under --insecure-no-auth, where anyone could
 * otherwise point the proxy at a host of their choosing. GET /workers is a client read
 * (the proxy's onRequest hook checks client keys).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isLoopbackAddress, type ApiKeys } from '@chainlm/core';
import { ApiError } from '../openai/errors.js';
import { parseBody } from '../openai/schemas.js';
import { heartbeatBodySchema, registerBodySchema, type HeartbeatReply, type RegisterReply } from './worker-protocol.js';
import { workerView, type WorkerRegistry, type WorkerState } from './worker-registry.js';

export interface WorkerRouteOptions {
  /** The keys that may register (worker keys, else client keys); none configured: loopback peers only. */
  keys: ApiKeys;
  log: (message: string) => void;
}

/** The routes that change the registry: the proxy's client-key hook leaves them to `mayRegister`. */
export const workerWriteRoutes: ReadonlySet<string> = new Set(['/workers/register', '/workers/:id/heartbeat', '/workers/:id']);

export function workerRoutes(app: FastifyInstance, registry: WorkerRegistry, options: WorkerRouteOptions): void {
  const mayRegister = (request: FastifyRequest) => {
    if (options.keys.required) {
      if (options.keys.accepts(request.headers.authorization)) return;
      throw new ApiError('unauthorized', 'missing or invalid worker key: send Authorization: Bearer <key> (chainlm-serve --proxy-key)');
    }
    if (isLoopbackAddress(request.socket.remoteAddress ?? '')) return;
    throw new ApiError('forbidden', `the proxy has no API keys, so only workers on this machine may register (peer ${request.socket.remoteAddress}); start the proxy with --api-key(s) and the workers with --proxy-key`);
  };
  const known = (id: string): WorkerState => {
    const worker = registry.get(id);
    if (!worker) throw new ApiError('notFound', `no worker ${id} is registered (dropped after a missed heartbeat, or the proxy restarted): register again`);
    return worker;
  };

  app.post('/workers/register', async (request, reply) => {
    mayRegister(request);
    const body = parseBody(registerBodySchema, request.body);
    const worker = registry.register(body, Date.now());
    options.log(`worker ${worker.url} registered (${worker.models.map((card) => card.id).join(', ')}; capacity ${worker.capacity})`);
    const answer: RegisterReply = { id: worker.id, heartbeat_timeout_ms: registry.timeoutMs };
    return reply.code(201).send(answer);
  });

  app.post<{ Params: { id: string } }>('/workers/:id/heartbeat', async (request) => {
    mayRegister(request);
    const body = parseBody(heartbeatBodySchema, request.body);
    const { state, lastError } = known(request.params.id);
    registry.heartbeat(request.params.id, body.load, body.models, Date.now());
    const answer: HeartbeatReply = { state, last_error: lastError };
    return answer;
  });

  app.delete<{ Params: { id: string } }>('/workers/:id', async (request, reply) => {
    mayRegister(request);
    const worker = registry.remove(known(request.params.id).id)!;
    options.log(`worker ${worker.url} left`);
    return reply.code(204).send();
  });

  app.get('/workers', async () => ({ workers: registry.all().map(workerView) }));
}
