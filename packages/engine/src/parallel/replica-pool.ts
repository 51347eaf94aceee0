/**
 * Replicas behind one front: N worker threads, each a full Engine on the same
 * weights; the front sends each request to the replica with the fewest requests in
 * flight (ties: lowest index) and relays its events. Requests are independent, so
 * greedy outputs equal a single engine's.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { EngineConfigInput } from '../config/engine-config.js';
import { EngineError } from '../errors.js';
import type { EngineEvent } from '../engine/events.js';
import type { GenerateRequest } from '../engine/engine.js';
import type { FrontMessage, ReplicaMessage, ReplicaModelSpec } from './replica-messages.js';

interface Replica {
  worker: Worker;
  inFlight: Set<string>;
}

/** The compiled worker (tests import sources, but a worker thread needs JavaScript). */
function workerUrl(): URL {
  const here = new URL('./replica-worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return here;
  const built = new URL('../../dist/parallel/replica-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(built))) throw new EngineError('engine-closed', `replica worker not built: ${fileURLToPath(built)} is missing`, 'run `npx tsc -b packages/engine` first', 1);
  return built;
}

export class ReplicaPool {
  private readonly listeners = new Map<string, (event: EngineEvent) => void>();
  private nextId = 0;

  private constructor(private readonly replicas: Replica[]) {
    replicas.forEach((replica) => replica.worker.on('message', (message: ReplicaMessage) => this.receive(replica, message)));
  }

  static async create(count: number, model: ReplicaModelSpec, config: EngineConfigInput): Promise<ReplicaPool> {
    if (!Number.isInteger(count) || count < 1) throw new EngineError('engine-request-invalid', `replicas must be a positive integer, got ${count}`, 'use 1 or more (one per core)');
    const url = workerUrl();
    const replicas = await Promise.all(
      Array.from({ length: count }, async () => {
        const worker = new Worker(url, { workerData: { model, config } });
        await new Promise<void>((resolve, reject) => {
          worker.once('error', reject);
          worker.once('message', (message: ReplicaMessage) => (message.type === 'ready' ? resolve() : reject(new Error(`replica failed to start: ${JSON.stringify(message)}`))));
        });
        return { worker, inFlight: new Set<string>() };
      }),
    );
    return new ReplicaPool(replicas);
  }

  get size(): number {
    return this.replicas.length;
  }

  /** Returns the request id; events arrive on `onEvent` (a request the replica rejects finishes at once with `error` set). */
  addRequest(request: GenerateRequest, onEvent: (event: EngineEvent) => void): string {
    const requestId = request.requestId ?? `pool-${this.nextId++}`;
    const replica = this.replicas.reduce((best, candidate) => (candidate.inFlight.size < best.inFlight.size ? candidate : best));
    replica.inFlight.add(requestId);
    this.listeners.set(requestId, onEvent);
    this.post(replica, { type: 'add', request: { ...request, requestId } });
    return requestId;
  }

  abort(requestId: string): void {
    for (const replica of this.replicas) if (replica.inFlight.has(requestId)) this.post(replica, { type: 'abort', requestId });
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => new Promise<void>((resolve) => {
      replica.worker.once('exit', () => resolve());
      this.post(replica, { type: 'close' });
    })));
  }

  private post(replica: Replica, message: FrontMessage): void {
    replica.worker.postMessage(message);
  }

  private receive(replica: Replica, message: ReplicaMessage): void {
    if (message.type === 'event') {
      this.listeners.get(message.event.requestId)?.(message.event);
      if (message.event.type === 'request-finish') {
        replica.inFlight.delete(message.event.requestId);
        this.listeners.delete(message.event.requestId);
      }
    } else if (message.type === 'error' && message.requestId) {
      replica.inFlight.delete(message.requestId);
      const listener = this.listeners.get(message.requestId);
      this.listeners.delete(message.requestId);
      const metrics = { arrivalTime: 0, queueTimeMs: 0, timeToFirstTokenMs: 0, timePerOutputTokenMs: 0, latencyMs: 0, promptTokens: 0, outputTokens: 0, prefixHitTokens: 0, numPreemptions: 0 };
      listener?.({ type: 'request-finish', requestId: message.requestId, outputs: [], promptTokenIds: [], metrics, error: message.message });
    }
  }
}
