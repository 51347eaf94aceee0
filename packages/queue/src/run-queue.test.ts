/**
 * RunQueue and startQueueWorker against a real Redis (REDIS_URL; skipped with a
 * reason outside CI when unset, failing in CI): outcomes in task order, a task
 * that always throws reported failed with its error after `attempts` tries, a
 * re-submitted run that reuses finished jobs and retries failed ones, and the
 * status a console reads. Redis unreachable: a clear error within seconds.
 */
import { skipUnlessPresent } from '@chainlm/core';
import { afterAll, describe, expect, it } from 'vitest';
import { checkRedis, jobId, QueueError, queueName, readQueueStatus, RunQueue, startQueueWorker, taskIdOf, type QueueWorkerHandle } from './index.js';

const redisUrl = process.env.REDIS_URL;
const noRedis = skipUnlessPresent(Boolean(redisUrl), 'the queue tests need a Redis in REDIS_URL (redis-server --port 6390 --save "" --daemonize yes; export REDIS_URL=redis://127.0.0.1:6390)');

describe('Redis connection', () => {
  it('names the URL within seconds when Redis does not answer, instead of retrying forever', async () => {
    const started = Date.now();
    const error = await checkRedis('redis://127.0.0.1:1', 3_000).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueueError);
    expect((error as QueueError).code).toBe('queue-redis-unreachable');
    expect((error as QueueError).message).toMatch(/cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
    expect((error as QueueError).hint).toMatch(/--redis/);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('refuses a URL that is not redis://', async () => {
    const error = await checkRedis('http://127.0.0.1:6379').catch((caught: unknown) => caught);
    expect((error as QueueError).code).toBe('queue-redis-url');
    expect((error as QueueError).exitCode).toBe(2);
  });

  it('refuses names with the separator BullMQ and our keys use', () => {
    expect(queueName('eval', 'fixture_0123456789')).toBe('chainlm-eval-fixture_0123456789');
    expect(() => queueName('eval', 'a:b')).toThrow(/run id "a:b" may only use letters, digits/);
    expect(jobId('infer/toy/gsm8k_3')).toBe('t.infer/toy/gsm8k_3');
    expect(taskIdOf(jobId('odd:id'))).toBe('odd:id');
  });
});

describe.skipIf(noRedis)('RunQueue with workers', () => {
  const workers: QueueWorkerHandle[] = [];
  afterAll(async () => {
    for (const worker of workers) await worker.close();
  });
  const runId = `test-${process.pid}-${Date.now()}`;
  let calls = 0;

  it('runs tasks on workers, reports a failing task with its error after N tries, and shows the run', async () => {
    for (let index = 0; index < 2; index++) {
      workers.push(
        await startQueueWorker<{ n: number }, number>({
          redisUrl: redisUrl!,
          family: 'test',
          pollMs: 50,
          handle: async (task) => {
            calls++;
            await task.reportProgress({ done: 1 });
            if (task.data.n < 0) throw new Error(`negative n in ${task.id}`);
            return task.data.n * task.data.n;
          },
        }),
      );
    }
    const queue = await RunQueue.open({ redisUrl: redisUrl!, family: 'test', runId, attempts: 2, backoffMs: 10 });
    try {
      const tasks = [3, 4, -1, 5].map((n) => ({ id: `m/d_${n}`, name: 'square', data: { n } }));
      const active: string[] = [];
      const outcomes = await queue.run<{ n: number }, number>(tasks, { onActive: (id) => active.push(id) });
      expect(outcomes.map((outcome) => outcome.id)).toEqual(['m/d_3', 'm/d_4', 'm/d_-1', 'm/d_5']);
      expect(outcomes.filter((outcome) => outcome.ok).map((outcome) => (outcome as { value: number }).value)).toEqual([9, 16, 25]);
      const failed = outcomes[2] as { ok: false; error: Error; attempts: number };
      expect(failed.ok).toBe(false);
      expect(failed.attempts).toBe(2);
      expect(failed.error.message).toBe('negative n in m/d_-1 (task tried 2 times)');
      expect(new Set(active)).toEqual(new Set(tasks.map((task) => task.id)));

      const status = await readQueueStatus(redisUrl!, runId, { family: 'test' });
      expect(status.state).toBe('running');
      expect(status.counts).toMatchObject({ completed: 3, failed: 1, waiting: 0, active: 0 });
      expect(status.tasks.find((task) => task.id === 'm/d_-1')).toMatchObject({ state: 'failed', attemptsMade: 2, failedReason: 'negative n in m/d_-1' });
      expect(status.tasks.find((task) => task.id === 'm/d_3')).toMatchObject({ state: 'completed', progress: { done: 1 } });
      expect(status.workers.map((worker) => worker.pid)).toContain(process.pid);

      // the same run again: finished tasks are not run again, the failed one is retried
      const before = calls;
      const again = await queue.run<{ n: number }, number>(tasks);
      expect(again.map((outcome) => outcome.ok)).toEqual([true, true, false, true]);
      expect(calls - before).toBe(2);

      await queue.finish('failed');
      expect((await readQueueStatus(redisUrl!, runId, { family: 'test' })).state).toBe('failed');
    } finally {
      await queue.close();
    }
  });
});
