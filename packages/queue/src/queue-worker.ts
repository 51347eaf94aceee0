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
import { activeQueuesKey, taskIdOf, workerKeyPrefix } from './names.js';
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
  const worker = new QueueWorkerProcess(options);
  await worker.start();
  return worker;
}

class QueueWorkerProcess<D, R> implements QueueWorkerHandle {
  readonly id = `${hostname()}:${process.pid}`;
  private readonly prefix: string;
  private readonly startedAt = new Date().toISOString();
  private readonly served = new Map<string, Served>();
  private readonly current = new Map<string, { queue: string; task: string; since: string }>();
  private readonly log: (line: string) => void;
  private redis?: Redis;
  private subscriber?: Redis;
  private polling: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  private closing = false;

  constructor(private readonly options: QueueWorkerOptions<D, R>) {
    this.prefix = `chainlm-${options.family}-`;
    this.log = options.log ?? (() => undefined);
  }

  async start(): Promise<void> {
    this.redis = await this.connect(false);
    this.tick();
    await this.polling;
    await this.beat();
    this.subscriber = await this.connect(false);
    this.subscriber.on('message', this.tick);
    await this.subscriber.subscribe(activeQueuesKey(this.options.family));
    this.timers = [setInterval(this.tick, this.options.pollMs ?? 1_000), setInterval(() => void this.beat(), this.heartbeatMs)];
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.polling;
    await Promise.all([...this.served.keys()].map((name) => this.unserve(name)));
    this.subscriber?.disconnect();
    await this.redis?.del(this.heartbeatKey).catch(() => undefined);
    this.redis?.disconnect();
  }

  private get heartbeatMs(): number {
    return this.options.heartbeatMs ?? 2_000;
  }

  private get heartbeatKey(): string {
    return `${workerKeyPrefix(this.options.family)}${this.id}`;
  }

  private connect(blocking: boolean): Promise<Redis> {
    return openRedis(this.options.redisUrl, { timeoutMs: this.options.connectTimeoutMs, maxRetriesPerRequest: blocking ? null : 1, onLost: this.onLost });
  }

  private readonly onLost = (error: QueueError) => {
    if (this.closing) return;
    this.log(`error: ${error.message}`);
    void this.close().then(() => this.options.onLost?.(error));
  };

  private async beat(): Promise<void> {
    const value = { id: this.id, host: hostname(), pid: process.pid, startedAt: this.startedAt, lastHeartbeat: new Date().toISOString(), queues: [...this.served.keys()], current: [...this.current.values()] };
    await this.redis?.set(this.heartbeatKey, JSON.stringify(value), 'PX', this.heartbeatMs * 3).catch(() => undefined);
  }

  /** BullMQ's processor: one task, with the worker's log lines and heartbeat around it. */
  private readonly run = async (job: Job): Promise<R> => {
    const key = `${job.queueName}/${job.id}`;
    const runId = job.queueName.slice(this.prefix.length);
    const task = taskIdOf(job.id!);
    this.current.set(key, { queue: job.queueName, task, since: new Date().toISOString() });
    void this.beat();
    this.log(`took ${task} of ${runId} (attempt ${job.attemptsMade + 1})`);
    const started = Date.now();
    try {
      const value = await this.options.handle({ id: task, name: job.name, data: job.data as D, runId, attempt: job.attemptsMade + 1, reportProgress: (progress) => job.updateProgress(progress) });
      this.log(`done ${task} of ${runId} in ${Date.now() - started} ms`);
      return value;
    } catch (error) {
      this.log(`failed ${task} of ${runId}: ${(error as Error).message}`);
      if (this.options.isUnrecoverable?.(error)) throw new UnrecoverableError((error as Error).message);
      throw error;
    } finally {
      this.current.delete(key);
      void this.beat();
    }
  };

  private async serve(name: string): Promise<void> {
    const client = await this.connect(true);
    const worker = new Worker(name, this.run, {
      connection: client,
      name: this.id,
      concurrency: this.options.concurrency ?? 1,
      lockDuration: this.options.lockDurationMs ?? 30_000,
      stalledInterval: this.options.stalledIntervalMs ?? 30_000,
      maxStalledCount: this.options.maxStalledCount ?? 2,
    });
    worker.on('error', (error) => this.log(`queue ${name}: ${error.message}`));
    this.served.set(name, { worker, client });
    this.log(`serving ${name}`);
  }

  /** Stops taking the run's tasks; resolves once the ones running here are done. */
  private async unserve(name: string): Promise<void> {
    const entry = this.served.get(name)!;
    this.served.delete(name);
    await entry.worker.close();
    entry.client.disconnect();
    this.log(`left ${name}`);
  }

  private async poll(): Promise<void> {
    const open = new Set((await this.redis!.smembers(activeQueuesKey(this.options.family))).filter((name) => name.startsWith(this.prefix)));
    for (const name of open) if (!this.served.has(name) && !this.closing) await this.serve(name);
    for (const name of [...this.served.keys()]) if (!open.has(name)) await this.unserve(name);
  }

  /** Polls are chained, never concurrent: a timer tick and a pub/sub message may come together. */
  private readonly tick = () => {
    this.polling = this.polling.then(() => this.poll()).catch((error: Error) => this.log(`poll: ${error.message}`));
  };
}
