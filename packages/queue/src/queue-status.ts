/**
 * What a console (or `chainlm-eval queue-status`) shows of a distributed run,
 * read in one call: the run's state, its queue's depth by state, the workers
 * alive (from their heartbeats) and each task's state, tries and progress.
 */
import { Queue } from 'bullmq';
import { activeQueuesKey, queueName, runKey, taskIdOf, workerKeyPrefix } from './names.js';
import { openRedis } from './redis-connection.js';

export interface WorkerStatus {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
  lastHeartbeat: string;
  queues: string[];
  current: { queue: string; task: string; since: string }[];
}

export interface TaskStatus {
  id: string;
  name: string;
  state: string;
  attemptsMade: number;
  progress: unknown;
  failedReason?: string;
  /** BullMQ worker name (`host:pid`) of the last try. */
  worker?: string;
  startedAt?: string;
  finishedAt?: string;
}

export interface QueueStatus {
  family: string;
  runId: string;
  queue: string;
  /** `running` while listed for workers; `done`/`failed` once the coordinator closed it; `unknown` if never seen. */
  state: 'running' | 'done' | 'failed' | 'unknown';
  coordinator?: string;
  startedAt?: string;
  endedAt?: string;
  counts: { waiting: number; active: number; delayed: number; completed: number; failed: number };
  workers: WorkerStatus[];
  tasks: TaskStatus[];
}

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : undefined);

export async function readQueueStatus(redisUrl: string, runId: string, options: { family?: string; timeoutMs?: number } = {}): Promise<QueueStatus> {
  const family = options.family ?? 'eval';
  const name = queueName(family, runId);
  const redis = await openRedis(redisUrl, { timeoutMs: options.timeoutMs ?? 3_000 });
  const queue = new Queue(name, { connection: redis });
  try {
    const meta = await redis.hgetall(runKey(family, runId));
    const listed = await redis.sismember(activeQueuesKey(family), name);
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children');
    const jobs = await queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized', 'waiting-children'], 0, -1, true);
    const tasks: TaskStatus[] = await Promise.all(
      jobs.map(async (job) => ({
        id: taskIdOf(job.id!),
        name: job.name,
        state: await job.getState(),
        attemptsMade: job.attemptsMade,
        progress: job.progress,
        ...(job.failedReason ? { failedReason: job.failedReason } : {}),
        ...(job.processedBy ? { worker: job.processedBy } : {}),
        ...(job.processedOn ? { startedAt: iso(job.processedOn) } : {}),
        ...(job.finishedOn ? { finishedAt: iso(job.finishedOn) } : {}),
      })),
    );
    tasks.sort((a, b) => a.id.localeCompare(b.id));
    const workerKeys = await scanKeys(redis, `${workerKeyPrefix(family)}*`);
    const beats = workerKeys.length > 0 ? await redis.mget(...workerKeys) : [];
    const workers = beats.filter((beat): beat is string => beat !== null).map((beat) => JSON.parse(beat) as WorkerStatus);
    const state = listed ? 'running' : meta.state === 'done' || meta.state === 'failed' ? meta.state : meta.state === 'running' ? 'running' : 'unknown';
    return {
      family,
      runId,
      queue: name,
      state,
      ...(meta.coordinator ? { coordinator: meta.coordinator } : {}),
      ...(meta.startedAt ? { startedAt: meta.startedAt } : {}),
      ...(meta.endedAt ? { endedAt: meta.endedAt } : {}),
      counts: { waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0, completed: counts.completed ?? 0, failed: counts.failed ?? 0 },
      workers: workers.sort((a, b) => a.id.localeCompare(b.id)),
      tasks,
    };
  } finally {
    await queue.close().catch(() => undefined);
    redis.disconnect();
  }
}

/** The run ids a family's workers are serving now. */
export async function listOpenRuns(redisUrl: string, family = 'eval'): Promise<string[]> {
  const redis = await openRedis(redisUrl, { timeoutMs: 3_000 });
  try {
    const prefix = `chainlm-${family}-`;
    return (await redis.smembers(activeQueuesKey(family))).filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length)).sort();
  } finally {
    redis.disconnect();
  }
}

async function scanKeys(redis: import('ioredis').Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 200);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}
