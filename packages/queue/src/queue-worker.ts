/**
 * A worker process's side: serve every open run of one family. The worker
 * reads `chainlm:queues:<family>` when a coordinator announces a change (pub/sub
 * on the same name) and every `pollMs` besides, and keeps one BullMQ Worker per listed queue
 * (closing it, after its current tasks, once the run is no longer listed), so
 * one `chainlm-eval worker` serves any number of runs, one after another or at
 * once. It writes a heartbeat key (host, pid, current tasks) that expires when
 * the process dies — what `readQueueStatus` reports as the workers alive.
 *
 * Stalled jobs are BullMQ's: a worker renews its task's lock every
 * lockDuration/2; a task whose lock expired (its worker was killed, or its
 * event loop was blocked longer than lockDuration) goes back to the wait list
 * at the next stalled check of any worker, at most `maxStalledCount` times.
 */
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { activeQueuesKey, queueName, taskIdOf, workerKeyPrefix } from './names.js';
import { openRedis } from './redis-connection.js';
import type { QueueError } from './errors.js';

export interface WorkerTask<D> {
  id: string;
  name: string;
  data: D;
  runId: string;
  /** 1 on the first try. */
  attempt: number;
  reportProgress(progress: object | number): Promise<void>;
}

export interface QueueWorkerOptions<D, R> {
  redisUrl: string;
  family: string;
  handle(task: WorkerTask<D>): Promise<R>;
  /** Tasks run at once per open run. */
  concurrency?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  maxStalledCount?: number;
  /** How often the list of open runs is read. */
  pollMs?: number;
  heartbeatMs?: number;
  connectTimeoutMs?: number;
  /** Errors retrying cannot fix (bad input): the task fails at once. */
  isUnrecoverable?(error: unknown): boolean;
  log?(line: string): void;
  /** Called when Redis is lost for good; the worker has stopped. */
  onLost?(error: QueueError): void;
}

export interface QueueWorkerHandle {
  /** `host:pid`, also BullMQ's worker name. */
  readonly id: string;
  /** Stops taking tasks, waits for the running ones, closes connections. */
  close(): Promise<void>;
}

interface Served {
  worker: Worker;
  client: Redis;
}

export async function startQueueWorker<D, R>(options: QueueWorkerOptions<D, R>): Promise<QueueWorkerHandle> {
  const id = `${hostname()}:${process.pid}`;
  const log = options.log ?? (() => undefined);
  const prefix = `chainlm-${options.family}-`;
  let closing = false;
  const onLost = (error: QueueError) => {
    if (closing) return;
    log(`error: ${error.message}`);
    void handle.close().then(() => options.onLost?.(error));
  };
  const connect = (blocking: boolean) => openRedis(options.redisUrl, { timeoutMs: options.connectTimeoutMs, maxRetriesPerRequest: blocking ? null : 1, onLost });
  const redis = await connect(false);
  const served = new Map<string, Served>();
  const current = new Map<string, { queue: string; task: string; since: string }>();
  const startedAt = new Date().toISOString();
  const heartbeatMs = options.heartbeatMs ?? 2_000;

  const beat = async () => {
    const value = { id, host: hostname(), pid: process.pid, startedAt, lastHeartbeat: new Date().toISOString(), queues: [...served.keys()], current: [...current.values()] };
    await redis.set(`${workerKeyPrefix(options.family)}${id}`, JSON.stringify(value), 'PX', heartbeatMs * 3).catch(() => undefined);
  };

  const processor = async (job: Job): Promise<R> => {
    const key = `${job.queueName}/${job.id}`;
    const runId = job.queueName.slice(prefix.length);
    const task = taskIdOf(job.id!);
    current.set(key, { queue: job.queueName, task, since: new Date().toISOString() });
    void beat();
    log(`took ${task} of ${runId} (attempt ${job.attemptsMade + 1})`);
    const started = Date.now();
    try {
      const value = await options.handle({ id: task, name: job.name, data: job.data as D, runId, attempt: job.attemptsMade + 1, reportProgress: (progress) => job.updateProgress(progress) });
      log(`done ${task} of ${runId} in ${Date.now() - started} ms`);
      return value;
    } catch (error) {
      log(`failed ${task} of ${runId}: ${(error as Error).message}`);
      if (options.isUnrecoverable?.(error)) throw new UnrecoverableError((error as Error).message);
      throw error;
    } finally {
      current.delete(key);
      void beat();
    }
  };

  const serve = async (name: string) => {
    const client = await connect(true);
    const worker = new Worker(name, processor, {
      connection: client,
      name: id,
      concurrency: options.concurrency ?? 1,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 2,
    });
    worker.on('error', (error) => log(`queue ${name}: ${error.message}`));
    served.set(name, { worker, client });
    log(`serving ${name}`);
  };

  const unserve = async (name: string) => {
    const entry = served.get(name)!;
    served.delete(name);
    await entry.worker.close();
    entry.client.disconnect();
    log(`left ${name}`);
  };

  let polling: Promise<void> = Promise.resolve();
  const poll = async () => {
    const open = new Set((await redis.smembers(activeQueuesKey(options.family))).filter((name) => name.startsWith(prefix)));
    for (const name of open) if (!served.has(name) && !closing) await serve(name);
    for (const name of [...served.keys()]) if (!open.has(name)) await unserve(name);
  };
  const tick = () => {
    polling = polling.then(poll).catch((error: Error) => log(`poll: ${error.message}`));
  };
  tick();
  await polling;
  await beat();
  const pollTimer = setInterval(tick, options.pollMs ?? 1_000);
  const subscriber = await connect(false);
  subscriber.on('message', tick);
  await subscriber.subscribe(activeQueuesKey(options.family));
  const beatTimer = setInterval(() => void beat(), heartbeatMs);

  const handle: QueueWorkerHandle = {
    id,
    async close() {
      if (closing) return;
      closing = true;
      clearInterval(pollTimer);
      clearInterval(beatTimer);
      await polling;
      await Promise.all([...served.keys()].map(unserve));
      subscriber.disconnect();
      await redis.del(`${workerKeyPrefix(options.family)}${id}`).catch(() => undefined);
      redis.disconnect();
    },
  };
  return handle;
}


