/**
 * The proxy's book of self-registered serving workers: plain bookkeeping with the clock
 * passed in, so its tests assert exact states without sockets or sleeps.
 *
 * Invariants:
 * - One entry per advertised URL: a worker that registers again (restarted, or dropped
 *   after a missed timeout) replaces its old entry and gets a new id; the old id is
 *   unknown from then on, so a stale process heartbeating with it is told 404.
 * - A worker is dropped once `now - lastHeartbeat > timeoutMs` (`expire`), and is never
 *   routed to after that.
 * - `unreachable` (a routed request could not connect) lasts until the next heartbeat:
 *   the worker is alive, but the proxy cannot reach its advertised URL.
 */
import { randomUUID } from 'node:crypto';
import type { ModelCard, ParsedRegisterBody, WorkerLoad, WorkerStateName, WorkerView } from './worker-protocol.js';

export interface WorkerState {
  id: string;
  url: string;
  models: ModelCard[];
  capacity: number;
  load: WorkerLoad;
  /** Requests this proxy has in flight to the worker now (exact, unlike `load`). */
  outstanding: number;
  /** `outstanding` when the last heartbeat arrived: the part of `load` that was ours. */
  outstandingAtHeartbeat: number;
  served: number;
  failures: number;
  state: WorkerStateName;
  lastError: string | null;
  registeredAt: number;
  lastHeartbeat: number;
  heartbeatIntervalMs: number;
}

export class WorkerRegistry {
  private readonly workers = new Map<string, WorkerState>();

  constructor(readonly timeoutMs: number) {}

  register(body: ParsedRegisterBody, now: number): WorkerState {
    for (const [id, worker] of this.workers) if (worker.url === body.url) this.workers.delete(id);
    const worker: WorkerState = {
      id: randomUUID(),
      url: body.url,
      models: body.models,
      capacity: body.capacity,
      load: body.load,
      outstanding: 0,
      outstandingAtHeartbeat: 0,
      served: 0,
      failures: 0,
      state: 'live',
      lastError: null,
      registeredAt: now,
      lastHeartbeat: now,
      heartbeatIntervalMs: body.heartbeat_interval_ms,
    };
    this.workers.set(worker.id, worker);
    return worker;
  }

  /** Records a heartbeat; undefined when the id is unknown (never registered, dropped, or replaced). */
  heartbeat(id: string, load: WorkerLoad, models: ModelCard[], now: number): WorkerState | undefined {
    const worker = this.workers.get(id);
    if (!worker) return undefined;
    worker.load = load;
    worker.models = models;
    worker.outstandingAtHeartbeat = worker.outstanding;
    worker.lastHeartbeat = now;
    worker.state = 'live';
    return worker;
  }

  get(id: string): WorkerState | undefined {
    return this.workers.get(id);
  }

  remove(id: string): WorkerState | undefined {
    const worker = this.workers.get(id);
    this.workers.delete(id);
    return worker;
  }

  /** Drops the workers silent for longer than the timeout; returns them. */
  expire(now: number): WorkerState[] {
    const dropped = [...this.workers.values()].filter((worker) => now - worker.lastHeartbeat > this.timeoutMs);
    for (const worker of dropped) this.workers.delete(worker.id);
    return dropped;
  }

  /** Live workers serving `model` (any model when undefined), expired ones left out even before `expire` runs. */
  candidates(model: string | undefined, now: number): WorkerState[] {
    return [...this.workers.values()].filter(
      (worker) => worker.state === 'live' && now - worker.lastHeartbeat <= this.timeoutMs && (model === undefined || worker.models.some((card) => card.id === model)),
    );
  }

  all(): WorkerState[] {
    return [...this.workers.values()];
  }

  get size(): number {
    return this.workers.size;
  }
}

/**
 * The worker's load as this proxy should see it now: our own in-flight requests (exact)
 * plus what others sent it, as of its last heartbeat (its running + waiting, less the
 * part that was ours then). Without the subtraction our own requests would count twice
 * until the next heartbeat.
 */
export function estimatedLoad(worker: WorkerState): number {
  const foreign = Math.max(0, worker.load.running + worker.load.waiting - worker.outstandingAtHeartbeat);
  return worker.outstanding + foreign;
}

export function workerView(worker: WorkerState): WorkerView {
  return {
    id: worker.id,
    url: worker.url,
    models: worker.models.map((card) => card.id),
    capacity: worker.capacity,
    load: worker.load,
    outstanding: worker.outstanding,
    served: worker.served,
    failures: worker.failures,
    state: worker.state,
    last_error: worker.lastError,
    registered_at: new Date(worker.registeredAt).toISOString(),
    last_heartbeat: new Date(worker.lastHeartbeat).toISOString(),
    heartbeat_interval_ms: worker.heartbeatIntervalMs,
  };
}
