/** --runner/--redis of clean and tokenize, and `chainlm-data worker`. */
import { ChainlmError, defineCommand, serveUntilStopped, UsageError } from '@chainlm/core';
import type { DataQueueOptions } from '../queue/staged-batches.js';

export const queueOptions = {
  runner: { type: 'string', valueName: 'local|queue', description: 'queue: the per-record work runs on `chainlm-data worker` processes sharing this file system, one input part per task (default: local)' },
  redis: { type: 'string', valueName: 'URL', description: 'Redis of the queue runner (default: $REDIS_URL)' },
} as const;

export function queueFrom(command: string, options: { runner?: string; redis?: string }): DataQueueOptions | undefined {
  if (options.runner === undefined || options.runner === 'local') return undefined;
  if (options.runner !== 'queue') throw new UsageError(`${command}: --runner must be local or queue, got "${options.runner}"`);
  const redisUrl = options.redis ?? process.env.REDIS_URL;
  if (!redisUrl) throw new UsageError(`${command}: --runner queue needs --redis URL (or $REDIS_URL)`, 'e.g. --redis redis://127.0.0.1:6379');
  return { redisUrl };
}

export const workerCommand = defineCommand({
  name: 'worker',
  summary: 'run the per-record part of `clean`/`tokenize --runner queue` (any number, on machines sharing the file system)',
  description: 'Serves every open data run until SIGINT/SIGTERM. Input parts and staged outcomes are read and written by the paths the coordinator names: the workers must see its CHAINLM_HOME at the same path (NFS or the same machine).',
  options: {
    redis: queueOptions.redis,
    concurrency: { type: 'number', valueName: 'N', description: 'parts at once per run (default 1)' },
    lockDuration: { type: 'number', valueName: 'MS', description: 'a part whose worker stops renewing its lock this long is handed to another worker (default 30000)' },
    stalledInterval: { type: 'number', valueName: 'MS', description: 'how often this worker looks for such stalled parts (default 30000)' },
  },
  examples: ['chainlm-data worker --redis redis://10.0.0.5:6379'],
  async run({ options }) {
    const redisUrl = options.redis ?? process.env.REDIS_URL;
    if (!redisUrl) throw new UsageError('worker: missing --redis URL (or $REDIS_URL)');
    const log = (line: string) => process.stderr.write(`data worker ${process.pid}: ${line}\n`);
    // Imported on use (BullMQ loads slowly); a QueueError (Redis unreachable) prints with its hint.
    const { startDataWorker } = await import('../queue/data-worker.js');
    const { handle: worker, lost } = await serveUntilStopped(
      (onLost) => startDataWorker({ redisUrl, concurrency: options.concurrency, lockDurationMs: options.lockDuration, stalledIntervalMs: options.stalledInterval, log, onLost }),
      { started: (started) => log(`ready (${started.id}), waiting for parts on ${redisUrl}`) },
    );
    if (lost) throw new ChainlmError('data-queue', lost.message, { hint: 'restart Redis and the worker' });
    return { worker: worker.id, stopped: true };
  },
});
