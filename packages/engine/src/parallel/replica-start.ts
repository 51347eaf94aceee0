/**
 * Starting a pool's workers: the built worker's URL, each replica's share of the KV
 * budget, and one worker's start — resolved with its `ready` (plan, shape, config), or
 * rejected with its start error rebuilt from the wire, or a protocol mismatch that names
 * the stale build.
 */
import { Worker } from 'node:worker_threads';
import { parseEngineConfig, type EngineConfigInput } from '../config/engine-config.js';
import { EngineError } from '../errors.js';
import { builtModuleUrl } from '@chainlm/core';
import { replicaProtocol, type ReplicaMessage, type ReplicaWorkerData } from './replica-messages.js';
import { fromWireError } from './replica-model.js';

export type ReadyMessage = Extract<ReplicaMessage, { type: 'ready' }>;

/** The compiled worker (tests import sources, but a worker thread needs JavaScript). */
export function workerUrl(): URL {
  const sibling = import.meta.url.endsWith('.ts') ? './replica-worker.ts' : './replica-worker.js';
  return new URL(builtModuleUrl(new URL(sibling, import.meta.url).href));
}

/** Starts one worker and waits for its `ready` (or its start error). */
export function startReplica(url: URL, data: ReplicaWorkerData): Promise<{ worker: Worker; ready: ReadyMessage }> {
  const worker = new Worker(url, { workerData: data });
  return new Promise((resolve, reject) => {
    const settle = (outcome: () => void) => {
      worker.off('error', onError).off('exit', onExit).off('message', onMessage);
      outcome();
    };
    const onError = (error: Error) => settle(() => reject(error));
    const onExit = (code: number) => settle(() => reject(new EngineError('engine-replica-lost', `a replica exited with code ${code} while starting`, 'see the error above', 1)));
    const onMessage = (message: ReplicaMessage) =>
      settle(() => {
        if (message.type === 'start-error') return reject(fromWireError(message.error));
        if (message.type !== 'ready' || message.protocol !== replicaProtocol) {
          return reject(new EngineError('engine-closed', `the built replica worker speaks protocol ${(message as { protocol?: number }).protocol ?? '?'}, this front ${replicaProtocol}`, 'rebuild: `npx tsc -b packages/engine`', 1));
        }
        resolve({ worker, ready: message });
      });
    worker.on('error', onError).on('exit', onExit).on('message', onMessage);
  });
}

/** Each replica's share of the pool's KV budget. */
export function replicaConfig(config: EngineConfigInput, count: number): EngineConfigInput {
  const parsed = parseEngineConfig(config);
  return { ...config, cacheMaxEntryCount: parsed.cacheMaxEntryCount / count, ...(parsed.cacheGiB !== undefined ? { cacheGiB: parsed.cacheGiB / count } : {}) };
}
