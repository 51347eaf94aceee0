/**
 * The coordinator's side of one run: put each task on the run's BullMQ queue
 * and wait for its outcome. Design notes:
 *  - The job id is the task id, so submitting a run again (a restarted
 *    coordinator) adds nothing that is already queued, running or done: BullMQ
 *    ignores an add whose id exists, and `waitUntilFinished` answers at once for
 *    a job that finished while no coordinator was listening. Only jobs that
 *    failed are removed and added again (a re-run is a retry).
 *  - Retries (`attempts`) and stalled jobs (a worker that stopped renewing its
 *    lock) are BullMQ's: a stalled job goes back to the wait list and another
 *    worker takes it.
 *  - The queue is listed in `chainlm:queues:<family>` while the run is open,
 *    which is how workers find it; `finish('done')` deletes the queue's jobs,
 *    `finish('failed')` keeps them for a look (and for the re-run).
 */
import { hostname } from 'node:os';
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { activeQueuesKey, jobId, queueName, runKey, taskIdOf } from './names.js';
import { openRedis, redactUrl } from './redis-connection.js';
import type { QueueError } from './errors.js';

export interface QueueTask<D> {
  /** Unique within the run, e.g. `toy/gsm8k_3`. */
  id: string;
  /** The handler the worker dispatches on, e.g. `infer`. */
  name: string;
  data: D;
}

export type QueueOutcome<R> = { id: string; ok: true; value: R } | { id: string; ok: false; error: Error; attempts: number };

export interface RunQueueOptions {
  redisUrl: string;
  /** Kind of work (`eval`, `data`): workers of that family serve the queue. */
  family: string;
  runId: string;
  /** Tries per task before it is reported failed. */
  attempts?: number;
  /** Wait between tries (ms). */
  backoffMs?: number;
  /** Time to reach Redis before failing with its URL. */
  connectTimeoutMs?: number;
}

export interface RunHooks {
  /** A worker took the task. */
  onActive?(taskId: string): void;
  /** A worker reported progress (whatever its handler passed). */
  onProgress?(taskId: string, progress: unknown): void;
}

export class RunQueue {
  private lostError: QueueError | undefined;
  private readonly lostListeners = new Set<(error: QueueError) => void>();

  private constructor(
    private readonly options: Required<Omit<RunQueueOptions, 'connectTimeoutMs'>>,
    private readonly redis: Redis,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly clients: Redis[],
  ) {}

  static async open(options: RunQueueOptions): Promise<RunQueue> {
    const settings = { attempts: 3, backoffMs: 1_000, ...options };
    const name = queueName(options.family, options.runId);
    let self: RunQueue | undefined;
    const onLost = (error: QueueError) => self?.lose(error);
    const connect = (blocking: boolean) => openRedis(options.redisUrl, { timeoutMs: options.connectTimeoutMs, maxRetriesPerRequest: blocking ? null : 1, onLost });
    const redis = await connect(false);
    const queueClient = await connect(true);
    const eventsClient = await connect(true);
    const queue = new Queue(name, { connection: queueClient });
    const events = new QueueEvents(name, { connection: eventsClient });
    await events.waitUntilReady();
    // One waitUntilFinished per task listens on both: hundreds of tasks are normal here.
    queue.setMaxListeners(0);
    events.setMaxListeners(0);
    self = new RunQueue(settings, redis, queue, events, [redis, queueClient, eventsClient]);
    return self;
  }

  get name(): string {
    return this.queue.name;
  }

  /** Submits the tasks (skipping those already queued or done) and resolves when each has an outcome. */
  async run<D, R>(tasks: readonly QueueTask<D>[], hooks: RunHooks = {}): Promise<QueueOutcome<R>[]> {
    const { family, runId } = this.options;
    await this.redis.sadd(activeQueuesKey(family), this.queue.name);
    // Workers poll the set; the message only saves them the wait.
    await this.redis.publish(activeQueuesKey(family), this.queue.name);
    // A run submits more than once (eval: inference, then evaluation; a restarted coordinator): keep the first start.
    await this.redis.hset(runKey(family, runId), { state: 'running', queue: this.queue.name, coordinator: `${hostname()}:${process.pid}`, endedAt: '' });
    await this.redis.hsetnx(runKey(family, runId), 'startedAt', new Date().toISOString());
    const onActive = ({ jobId: id }: { jobId: string }) => hooks.onActive?.(taskIdOf(id));
    const onProgress = ({ jobId: id, data }: { jobId: string; data: unknown }) => hooks.onProgress?.(taskIdOf(id), data);
    this.events.on('active', onActive);
    this.events.on('progress', onProgress);
    try {
      const states = await Promise.all(tasks.map((task) => this.queue.getJobState(jobId(task.id))));
      await Promise.all(tasks.map(async (task, index) => (states[index] === 'failed' ? (await this.queue.getJob(jobId(task.id)))?.remove() : undefined)));
      const jobs = await this.queue.addBulk(
        tasks.map((task) => ({
          name: task.name,
          data: task.data,
          opts: { jobId: jobId(task.id), attempts: this.options.attempts, backoff: { type: 'fixed', delay: this.options.backoffMs }, removeOnComplete: false, removeOnFail: false },
        })),
      );
      return await Promise.all(jobs.map((job, index) => this.outcome<R>(tasks[index].id, job)));
    } finally {
      this.events.off('active', onActive);
      this.events.off('progress', onProgress);
    }
  }

  private async outcome<R>(id: string, job: Job): Promise<QueueOutcome<R>> {
    try {
      const value = (await this.untilLost(job.waitUntilFinished(this.events))) as R;
      return { id, ok: true, value };
    } catch (error) {
      if (this.lostError) throw this.lostError;
      const failed = await this.queue.getJob(job.id!);
      const attempts = failed?.attemptsMade ?? 0;
      const reason = failed?.failedReason ?? (error as Error).message;
      return { id, ok: false, error: new Error(`${reason} (task tried ${attempts} time${attempts === 1 ? '' : 's'})`), attempts };
    }
  }

  private untilLost<T>(promise: Promise<T>): Promise<T> {
    if (this.lostError) return Promise.reject(this.lostError);
    return new Promise<T>((resolve, reject) => {
      const listener = (error: QueueError) => reject(error);
      this.lostListeners.add(listener);
      promise.then(resolve, reject).finally(() => this.lostListeners.delete(listener));
    });
  }

  private lose(error: QueueError): void {
    this.lostError ??= error;
    for (const listener of this.lostListeners) listener(error);
  }

  /** Closes the run: no longer listed for workers; on `done` its jobs are deleted. */
  async finish(state: 'done' | 'failed'): Promise<void> {
    const { family, runId } = this.options;
    await this.redis.srem(activeQueuesKey(family), this.queue.name);
    await this.redis.publish(activeQueuesKey(family), this.queue.name);
    await this.redis.hset(runKey(family, runId), { state, endedAt: new Date().toISOString() });
    await this.redis.expire(runKey(family, runId), 7 * 24 * 3600);
    if (state === 'done') await this.queue.obliterate({ force: true });
  }

  async close(): Promise<void> {
    await this.events.close().catch(() => undefined);
    await this.queue.close().catch(() => undefined);
    for (const client of this.clients) client.disconnect();
  }

  toString(): string {
    return `${this.queue.name} on ${redactUrl(this.options.redisUrl)}`;
  }
}
