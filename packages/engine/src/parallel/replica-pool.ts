/**
 * Replicas behind one front: N worker threads, each a full Engine on the same
 * weights; the front sends each request to the live replica with the fewest requests
 * in flight (ties: lowest index) and relays its events. Requests are independent, so
 * greedy outputs equal a single engine's. The pool is a ServingEngine: adapters are
 * loaded on every replica, metrics() sums the replicas' latest snapshots (each sends
 * one when its numbers change, at most every metricsIntervalMs), and a replica that
 * dies finishes its in-flight requests with engine-replica-lost while the others
 * keep serving, and is started again (with the adapters loaded at the time) unless it
 * has already been restarted `restart.maxRestarts` times within `restart.windowMs`.
 *
 * The KV budget in `config` is the pool's: each replica plans with 1/N of it
 * (cacheGiB / N, or cacheMaxEntryCount / N of free memory), so adding replicas does
 * not multiply the cache. Weights are per replica (N copies).
 */
import { Worker } from 'node:worker_threads';
import type { ModelConfig } from '@chainlm/model';
import { parseEngineConfig, type EngineConfigInput } from '../config/engine-config.js';
import { EngineError, isEngineErrorCode } from '../errors.js';
import type { EngineEvent, RequestFinishEvent } from '../engine/events.js';
import type { EngineBookkeeping, EngineMetrics, GenerateRequest } from '../engine/engine.js';
import { formatMemoryPlan, type MemoryPlan } from '../engine/memory-plan.js';
import type { LoraAdapterInput } from '../lora/adapter-registry.js';
import type { StepModelShape } from '../model-contract.js';
import type { ServingEngine } from '../serving-engine.js';
import type { FrontMessage, ReplicaMessage, ReplicaModelSpec, ReplicaWorkerData, WireError } from './replica-messages.js';
import { emptyMetrics, sumMetrics } from './replica-metrics.js';
import { fromWireError } from './replica-model.js';
import { claimRestart, syncAdapters, type RestartPolicy } from './replica-restart.js';
import { replicaConfig, startReplica, workerUrl, type ReadyMessage } from './replica-start.js';

export interface ReplicaPoolOptions {
  /** Where the memory plan goes when config.printPlan is set (default stderr). */
  log?: (line: string) => void;
  /** How often a replica may send a metrics snapshot (default 250 ms). */
  metricsIntervalMs?: number;
  /** Restarting replicas that die: at most maxRestarts (default 3) per replica within windowMs (default 60 s); false never restarts. */
  restart?: RestartPolicy | false;
}

interface Replica {
  index: number;
  worker: Worker;
  inFlight: Set<string>;
  metrics: EngineMetrics;
  alive: boolean;
  /** Why the worker stopped (its uncaught error), for the lost requests' message. */
  failure?: string;
  /** When this replica was restarted (ms timestamps), for the restart limit. */
  restartedAt: number[];
}

type DoneMessage = Extract<ReplicaMessage, { type: 'done' }>;

export class ReplicaPool implements ServingEngine {
  readonly plan: MemoryPlan;
  readonly model: { readonly config: StepModelShape };
  /** The served model's full config (architecture, weight naming…). */
  readonly modelConfig: ModelConfig;
  /** Whether the replicas detokenize (the model folder has a tokenizer). */
  readonly hasTokenizer: boolean;
  private readonly listeners = new Map<string, (event: EngineEvent) => void>();
  private readonly requestAdapter = new Map<string, string>();
  private readonly adapterUse = new Map<string, number>();
  /** Loaded adapters, kept so a restarted replica gets them again. */
  private readonly adapters = new Map<string, LoraAdapterInput>();
  private readonly operations = new Map<number, { replica: Replica; done: (message: DoneMessage) => void }>();
  private nextOperation = 0;
  private nextId = 0;
  private closing = false;
  private restartCount = 0;
  private readonly restarting = new Set<Promise<void>>();
  private readonly exited = new WeakSet<Worker>();

  private constructor(
    private readonly replicas: Replica[],
    ready: ReadyMessage,
    private readonly start: { url: URL; data: ReplicaWorkerData; options: ReplicaPoolOptions },
  ) {
    this.plan = ready.plan;
    this.model = { config: ready.shape };
    this.modelConfig = ready.modelConfig;
    this.hasTokenizer = ready.hasTokenizer;
    for (const replica of replicas) this.attach(replica);
  }

  static async create(count: number, model: ReplicaModelSpec, config: EngineConfigInput, options: ReplicaPoolOptions = {}): Promise<ReplicaPool> {
    if (!Number.isInteger(count) || count < 1) throw new EngineError('engine-request-invalid', `replicas must be a positive integer, got ${count}`, 'use 1 or more (one per core)');
    const url = workerUrl();
    const data: ReplicaWorkerData = { model, config: replicaConfig(config, count), metricsIntervalMs: options.metricsIntervalMs ?? 250 };
    const started = await Promise.allSettled(Array.from({ length: count }, () => startReplica(url, data)));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) {
      await Promise.all(started.map((result) => (result.status === 'fulfilled' ? result.value.worker.terminate() : undefined)));
      throw failed.reason;
    }
    const replicas = started.map((result, index) => ({ index, worker: (result as PromiseFulfilledResult<{ worker: Worker }>).value.worker, inFlight: new Set<string>(), metrics: emptyMetrics(), alive: true, restartedAt: [] }));
    const ready = (started[0] as PromiseFulfilledResult<{ ready: ReadyMessage }>).value.ready;
    const pool = new ReplicaPool(replicas, ready, { url, data, options });
    if (parseEngineConfig(config).printPlan) pool.log(pool.describePlan());
    return pool;
  }

  get size(): number {
    return this.replicas.length;
  }

  /** Replicas still serving. */
  get liveReplicas(): number {
    return this.replicas.filter((replica) => replica.alive).length;
  }

  /** Replicas started again after dying, over the pool's life. */
  get restarts(): number {
    return this.restartCount;
  }

  replicaHealth(): { live: number; total: number; restarts: number } {
    return { live: this.liveReplicas, total: this.replicas.length, restarts: this.restartCount };
  }

  get adapterNames(): string[] {
    return [...this.adapters.keys()];
  }

  /** Returns the request id; events arrive on `onEvent` (a request a replica rejects, or one lost with its replica, finishes with `error` set). */
  addRequest(request: GenerateRequest, onEvent: (event: EngineEvent) => void): string {
    if (this.closing) throw new EngineError('engine-closed', 'the replica pool was closed', 'create a new ReplicaPool');
    const live = this.replicas.filter((replica) => replica.alive);
    if (live.length === 0) throw new EngineError('engine-replica-lost', `all ${this.replicas.length} replicas have stopped`, 'restart the server (see the log for why they stopped)', 1);
    if (request.constraint && !request.constraint.portable) throw new EngineError('engine-request-invalid', 'request.constraint: this token constraint has no `portable` form, so it cannot cross to a replica thread', 'give the constraint a portable {module, factory, options}, or serve with one engine');
    const requestId = request.requestId ?? `pool-${this.nextId++}`;
    if (this.listeners.has(requestId)) throw new EngineError('engine-request-duplicate', `request id "${requestId}" is already running`, 'use a unique requestId or omit it');
    const replica = live.reduce((best, candidate) => (candidate.inFlight.size < best.inFlight.size ? candidate : best));
    replica.inFlight.add(requestId);
    this.listeners.set(requestId, onEvent);
    if (request.adapter !== undefined) {
      this.requestAdapter.set(requestId, request.adapter);
      this.adapterUse.set(request.adapter, (this.adapterUse.get(request.adapter) ?? 0) + 1);
    }
    const { constraint, ...plain } = request;
    this.post(replica, { type: 'add', request: { ...plain, requestId }, ...(constraint ? { constraint: constraint.portable } : {}) });
    return requestId;
  }

  abort(requestId: string): boolean {
    const replica = this.replicas.find((candidate) => candidate.inFlight.has(requestId));
    if (!replica) return false;
    this.post(replica, { type: 'abort', requestId });
    return true;
  }

  /** The pool's gauges: the sum of the live replicas' latest snapshots. */
  metrics(): EngineMetrics {
    return sumMetrics(this.replicas.filter((replica) => replica.alive).map((replica) => replica.metrics));
  }

  /** Asks every live replica for its numbers now (tests, or a caller that cannot use a snapshot 250 ms old). */
  async refreshMetrics(): Promise<EngineMetrics> {
    await this.snapshots();
    return this.metrics();
  }

  /** The front's own per-request bookkeeping, and each live replica's engine's (all 0 when idle). */
  async bookkeeping(): Promise<{ listeners: number; inFlight: number; adapterRequests: number; operations: number; replicas: EngineBookkeeping[] }> {
    const replicas = await this.snapshots();
    return {
      listeners: this.listeners.size,
      inFlight: this.replicas.reduce((sum, replica) => sum + replica.inFlight.size, 0),
      adapterRequests: this.requestAdapter.size,
      operations: this.operations.size,
      replicas,
    };
  }

  /** Loads the adapter on every live replica; if one refuses, it is unloaded from the others and the refusal thrown. */
  async loadAdapter(name: string, adapter: LoraAdapterInput): Promise<void> {
    if (this.adapters.has(name)) throw new EngineError('engine-adapter-invalid', `an adapter named "${name}" is already loaded`, 'unload it first or pick another name');
    const live = this.replicas.filter((replica) => replica.alive);
    const results = await Promise.all(live.map((replica) => this.operation(replica, { type: 'load-adapter', operation: 0, name, adapter })));
    const refused = results.find((result) => result.error);
    if (refused) {
      await Promise.all(live.filter((_, index) => !results[index].error).map((replica) => this.operation(replica, { type: 'unload-adapter', operation: 0, name })));
      throw fromWireError(refused.error!);
    }
    this.adapters.set(name, adapter);
  }

  /** Unloads an adapter no request is using, from every replica. */
  async unloadAdapter(name: string): Promise<void> {
    if (!this.adapters.has(name)) throw new EngineError('engine-adapter-invalid', `no adapter named "${name}" is loaded`, `loaded: ${this.adapterNames.join(', ') || 'none'}`);
    const inUse = this.adapterUse.get(name) ?? 0;
    if (inUse > 0) throw new EngineError('engine-adapter-busy', `adapter "${name}" has ${inUse} request(s) in flight`, 'retry once they finish (or abort them)');
    this.adapters.delete(name);
    const results = await Promise.all(this.replicas.filter((replica) => replica.alive).map((replica) => this.operation(replica, { type: 'unload-adapter', operation: 0, name })));
    const refused = results.find((result) => result.error);
    if (refused) throw fromWireError(refused.error!);
  }

  /** Stops one replica at once, as a crash would (its requests finish with engine-replica-lost). */
  async terminateReplica(index: number): Promise<void> {
    const replica = this.replicas[index];
    if (!replica?.alive) throw new EngineError('engine-request-invalid', `replica ${index} is not running`, `give 0..${this.replicas.length - 1} of a live replica`);
    await replica.worker.terminate();
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.restarting);
    await Promise.all(this.replicas.filter((replica) => replica.alive).map((replica) => new Promise<void>((resolve) => {
      replica.worker.once('exit', () => resolve());
      this.post(replica, { type: 'close' });
    })));
  }

  /** The memory plan, once for the pool: one replica's plan and the pool's totals. */
  describePlan(): string {
    const mib = (bytes: number) => `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
    const count = this.replicas.length;
    return `${formatMemoryPlan(this.plan)}\n  replicas             ${count} worker threads, each with the plan above (totals: weights ${mib(count * this.plan.weightBytes)}, KV ${mib(count * this.plan.kvBytes)})`;
  }

  private async snapshots(): Promise<EngineBookkeeping[]> {
    const live = this.replicas.filter((replica) => replica.alive);
    const results = await Promise.all(live.map((replica) => this.operation(replica, { type: 'snapshot', operation: 0 })));
    results.forEach((result, index) => result.snapshot && (live[index].metrics = result.snapshot.metrics));
    return results.flatMap((result) => (result.snapshot ? [result.snapshot.bookkeeping] : []));
  }

  private attach(replica: Replica): void {
    const { worker } = replica;
    worker.on('message', (message: ReplicaMessage) => this.receive(replica, message));
    worker.on('error', (error) => (replica.failure = error.message));
    worker.on('exit', (code) => this.lose(replica, worker, replica.failure ?? `exit code ${code}`));
  }

  private log(line: string): void {
    (this.start.options.log ?? ((text) => process.stderr.write(`${text}\n`)))(line);
  }

  /** Starts a dead replica's worker again, within the restart budget, and routes to it once its adapters match the pool's. */
  private restart(replica: Replica, reason: string): void {
    const policy = this.start.options.restart;
    if (policy === false) return;
    const claim = claimRestart(replica.restartedAt, policy ?? {});
    if (!claim.allowed) {
      this.log(`replica ${replica.index} stopped (${reason}); not restarting: ${claim.why} (${this.liveReplicas} of ${this.replicas.length} replicas serve on)`);
      return;
    }
    this.log(`replica ${replica.index} stopped (${reason}); restarting it`);
    const restarting = (async () => {
      const { worker } = await startReplica(this.start.url, this.start.data);
      if (this.closing) return void (await worker.terminate());
      Object.assign(replica, { worker, failure: undefined, metrics: emptyMetrics() });
      this.attach(replica);
      const stopped = () => this.exited.has(worker) || this.closing;
      if (!(await syncAdapters(this.adapters, (message) => this.operation(replica, message), stopped))) {
        if (this.closing) await worker.terminate();
        return;
      }
      // No await between the last adapter check and this: the replica serves exactly the pool's adapters.
      replica.alive = true;
      this.restartCount += 1;
      this.log(`replica ${replica.index} restarted (${this.liveReplicas} of ${this.replicas.length} serving)`);
    })()
      .catch((error: Error) => {
        this.log(`replica ${replica.index} could not be restarted: ${error.message}`);
        if (!this.exited.has(replica.worker)) void replica.worker.terminate();
      })
      .finally(() => this.restarting.delete(restarting));
    this.restarting.add(restarting);
  }

  private post(replica: Replica, message: FrontMessage): void {
    replica.worker.postMessage(message);
  }

  /** Sends a message that the replica answers with `done`; a replica that dies first answers with nothing to report. */
  private operation(replica: Replica, message: Extract<FrontMessage, { operation: number }>): Promise<DoneMessage> {
    const operation = this.nextOperation++;
    return new Promise((resolve) => {
      this.operations.set(operation, { replica, done: resolve });
      this.post(replica, { ...message, operation } as FrontMessage);
    });
  }

  private receive(replica: Replica, message: ReplicaMessage): void {
    switch (message.type) {
      case 'event':
        this.listeners.get(message.event.requestId)?.(message.event);
        if (message.event.type === 'request-finish') this.settle(replica, message.event.requestId);
        break;
      case 'reject':
        this.fail(replica, message.requestId, message.error);
        break;
      case 'metrics':
        replica.metrics = message.metrics;
        break;
      case 'done': {
        const pending = this.operations.get(message.operation);
        this.operations.delete(message.operation);
        pending?.done(message);
        break;
      }
    }
  }

  /** A replica's worker stopped: its requests finish with an error, its operations end, routing skips it until it is restarted. */
  private lose(replica: Replica, worker: Worker, reason: string): void {
    this.exited.add(worker);
    replica.alive = false;
    if (this.closing) return;
    for (const requestId of [...replica.inFlight]) {
      this.fail(replica, requestId, { code: 'engine-replica-lost', message: `replica ${replica.index} stopped (${reason}) while running request "${requestId}"`, hint: 'retry the request: the other replicas keep serving', exitCode: 1 });
    }
    for (const [operation, pending] of this.operations) {
      if (pending.replica !== replica) continue;
      this.operations.delete(operation);
      pending.done({ type: 'done', operation });
    }
    this.restart(replica, reason);
  }

  private fail(replica: Replica, requestId: string, error: WireError): void {
    const listener = this.listeners.get(requestId);
    this.settle(replica, requestId);
    const metrics = { arrivalTime: 0, queueTimeMs: 0, timeToFirstTokenMs: 0, timePerOutputTokenMs: 0, latencyMs: 0, promptTokens: 0, outputTokens: 0, prefixHitTokens: 0, numPreemptions: 0 };
    const finish: RequestFinishEvent = { type: 'request-finish', requestId, outputs: [], promptTokenIds: [], metrics, error: error.message, errorCode: isEngineErrorCode(error.code) ? error.code : 'engine-failed' };
    listener?.(finish);
  }

  private settle(replica: Replica, requestId: string): void {
    replica.inFlight.delete(requestId);
    this.listeners.delete(requestId);
    const adapter = this.requestAdapter.get(requestId);
    if (adapter === undefined) return;
    this.requestAdapter.delete(requestId);
    const left = (this.adapterUse.get(adapter) ?? 1) - 1;
    if (left > 0) this.adapterUse.set(adapter, left);
    else this.adapterUse.delete(adapter);
  }
}
