/**
 * The worker side of self-registration (`chainlm-serve MODEL --proxy-url URL`): register
 * with a running proxy, heartbeat every `heartbeatIntervalMs` with the current load and
 * models, register again whenever the proxy no longer knows this worker (it restarted,
 * or dropped us after a missed timeout), and deregister on leave().
 *
 * Failures: a registration the proxy refuses (400 bad body, 401 bad key, 403 not allowed)
 * is a configuration error and makes joinProxy throw; a proxy that cannot be reached or
 * answers 5xx is retried every interval in the background, so workers may start before
 * the proxy does. Each outage and each recovery is logged once, not every beat.
 */
import type { FastifyInstance } from 'fastify';
import { ChainlmError } from '@chainlm/core';
import type { ServedModel } from '../app/served-model.js';
import { describeError } from './describe-error.js';
import type { HeartbeatBody, HeartbeatReply, ModelCard, RegisterBody, RegisterReply, WorkerLoad } from './worker-protocol.js';

export interface WorkerStatus {
  models: ModelCard[];
  load: WorkerLoad;
}

export interface JoinProxyOptions {
  /** The proxy's base URL, e.g. http://proxy:23334. */
  proxyUrl: string;
  /** The URL the proxy calls this server at (http(s)). */
  advertiseUrl: string;
  /** A key the proxy accepts (its --api-key(s)); none: the proxy must have none and be on this machine. */
  proxyKey?: string;
  heartbeatIntervalMs: number;
  /** Requests this server takes in flight before 429 (its --max-queue). */
  capacity: number;
  /** The models served and the engine load now. */
  status: () => Promise<WorkerStatus>;
  log?: (level: 'info' | 'warn', message: string) => void;
}

export interface ProxyMembership {
  /** The id the proxy gave this worker; undefined while not registered. */
  readonly id: string | undefined;
  /** Stops heartbeating and deregisters (best effort: a proxy that is down just drops us later). */
  leave(): Promise<void>;
}

class ProxyAnswer extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function joinProxy(options: JoinProxyOptions): Promise<ProxyMembership> {
  const proxyUrl = options.proxyUrl.replace(/\/+$/, '');
  const log = options.log ?? (() => {});
  const timeoutMs = Math.max(1000, Math.min(5000, options.heartbeatIntervalMs));
  let id: string | undefined;
  let outage: string | null = null;
  let lastUnreachable: string | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let beating: Promise<void> = Promise.resolve();

  const call = async <T>(method: string, path: string, body?: unknown): Promise<T | undefined> => {
    const response = await fetch(`${proxyUrl}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(options.proxyKey ? { authorization: `Bearer ${options.proxyKey}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) {
      const text = await response.text();
      let message = text;
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
      } catch {}
      throw new ProxyAnswer(response.status, `${method} ${path} answered ${response.status}: ${message}`);
    }
    return response.status === 204 ? undefined : ((await response.json()) as T);
  };

  const register = async () => {
    const { models, load } = await options.status();
    const body: RegisterBody = { url: options.advertiseUrl, models, capacity: options.capacity, load, heartbeat_interval_ms: options.heartbeatIntervalMs };
    const reply = (await call<RegisterReply>('POST', '/workers/register', body))!;
    id = reply.id;
    log('info', `registered with the proxy ${proxyUrl} as ${options.advertiseUrl} (worker ${reply.id})`);
    if (options.heartbeatIntervalMs * 2 > reply.heartbeat_timeout_ms) {
      log('warn', `the heartbeat interval (${options.heartbeatIntervalMs} ms) is over half the proxy's worker timeout (${reply.heartbeat_timeout_ms} ms): one late heartbeat drops this worker; lower --heartbeat-interval-ms`);
    }
  };

  const beat = async () => {
    try {
      if (id === undefined) await register();
      else {
        const { models, load } = await options.status();
        const body: HeartbeatBody = { load, models };
        const reply = (await call<HeartbeatReply>('POST', `/workers/${id}/heartbeat`, body))!;
        const unreachable = reply.state === 'unreachable' ? (reply.last_error ?? 'unknown error') : null;
        if (unreachable && unreachable !== lastUnreachable) log('warn', `the proxy cannot reach this server at ${options.advertiseUrl} (${unreachable}); check --advertise-url`);
        lastUnreachable = unreachable;
      }
      if (outage) log('info', `the proxy ${proxyUrl} answers again`);
      outage = null;
    } catch (error) {
      if (error instanceof ProxyAnswer && error.status === 404 && id !== undefined) {
        log('warn', `the proxy no longer knows this worker (it restarted, or dropped it after a missed heartbeat); registering again`);
        id = undefined;
        return beat();
      }
      const message = describeError(error);
      if (outage === null) log('warn', `the proxy ${proxyUrl} did not take a heartbeat (${message}); retrying every ${options.heartbeatIntervalMs} ms`);
      outage = message;
    }
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      beating = beat().finally(schedule);
    }, options.heartbeatIntervalMs);
    timer.unref();
  };

  try {
    await register();
  } catch (error) {
    if (error instanceof ProxyAnswer && (error.status === 400 || error.status === 401 || error.status === 403)) {
      throw new ChainlmError('server-proxy-refused', `the proxy ${proxyUrl} refused this worker: ${error.message}`, {
        hint: error.status === 401 ? 'give a key the proxy accepts: --proxy-key KEY or --proxy-key-file FILE (or CHAINLM_PROXY_KEY)' : 'check --advertise-url (http(s), reachable from the proxy) and the proxy\'s key settings',
        exitCode: 2,
      });
    }
    outage = describeError(error);
    log('warn', `the proxy ${proxyUrl} cannot be reached yet (${outage}); retrying every ${options.heartbeatIntervalMs} ms`);
  }
  schedule();

  return {
    get id() {
      return id;
    },
    async leave() {
      stopped = true;
      clearTimeout(timer);
      await beating;
      if (id === undefined) return;
      try {
        await call('DELETE', `/workers/${id}`);
        log('info', `left the proxy ${proxyUrl}`);
      } catch (error) {
        log('warn', `could not deregister from the proxy ${proxyUrl} (${describeError(error)}); it drops this worker after its timeout`);
      }
      id = undefined;
    },
  };
}

/**
 * A started server's WorkerStatus: its models as its own GET /v1/models answers them
 * (in process, so run-time LoRA adapters are included), and the running and waiting
 * requests of its engines — the gauges /metrics reports, summed over base models
 * (adapters share their base's engine).
 */
export function serverWorkerStatus(app: FastifyInstance, models: readonly ServedModel[], apiKey?: string): () => Promise<WorkerStatus> {
  return async () => {
    const response = await app.inject({ method: 'GET', url: '/v1/models', headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} });
    const cards = response.statusCode === 200 ? (response.json() as { data: ModelCard[] }).data : models.map((model) => ({ id: model.id }));
    const load = { running: 0, waiting: 0 };
    for (const model of models) {
      const metrics = model.engine.metrics();
      load.running += metrics.running;
      load.waiting += metrics.waiting;
    }
    return { models: cards, load };
  };
}
