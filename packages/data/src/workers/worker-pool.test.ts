import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChainlmError } from '@chainlm/core';
import { createWorkerPool } from './worker-pool.js';

// The fixture worker imports the compiled serve-jobs.js (worker threads run plain node).
const compiled = resolve(import.meta.dirname, '../../dist/workers/serve-jobs.js');
if (!existsSync(compiled)) console.warn(`skipping worker-thread pool tests: ${compiled} is not built (run npm test, which builds first)`);
const script = new URL('./pool-fixture-worker.mjs', import.meta.url);

interface Job {
  n: number;
  fail?: boolean;
  exit?: boolean;
}
interface Result {
  n: number;
  thread: number;
  values: Float64Array;
}
const handler = (setup: { factor: number }) => (job: Job) => ({ n: job.n * setup.factor, thread: 0, values: new Float64Array([job.n, 0.5]) });

describe('createWorkerPool', () => {
  it('runs jobs in this thread when the script is absent or workers is 0', async () => {
    for (const [missing, workers] of [[true, 2], [false, 0]] as const) {
      const pool = await createWorkerPool<Job, Result, { factor: number }>({ script: missing ? new URL('./no-such-worker.js', import.meta.url) : script, setup: { factor: 3 }, workers, createHandler: handler });
      expect(pool.workers).toBe(0);
      expect((await pool.run({ n: 2 })).n).toBe(6);
      await pool.close();
    }
  });

  describe.skipIf(!existsSync(compiled))('on worker threads', () => {
    it('answers every job, round-robin over the threads, with typed arrays intact', async () => {
      const pool = await createWorkerPool<Job, Result, { factor: number }>({ script, setup: { factor: 10 }, workers: 2, createHandler: handler });
      try {
        expect(pool.workers).toBe(2);
        const results = await Promise.all([1, 2, 3, 4].map((n) => pool.run({ n })));
        expect(results.map((result) => result.n)).toEqual([10, 20, 30, 40]);
        expect(new Set(results.map((result) => result.thread)).size).toBe(2);
        expect([...results[2].values]).toEqual([3, 0.5]);
      } finally {
        await pool.close();
      }
    });

    it('rebuilds a job error as the ChainlmError it was, and keeps serving', async () => {
      const pool = await createWorkerPool<Job, Result, { factor: number }>({ script, setup: { factor: 1 }, workers: 1, createHandler: handler });
      try {
        const error = await pool.run({ n: 7, fail: true }).catch((caught: unknown) => caught);
        expect(error).toBeInstanceOf(ChainlmError);
        expect(error).toMatchObject({ code: 'test-job', message: 'job 7 failed', hint: 'retry', exitCode: 2 });
        expect((await pool.run({ n: 8 })).n).toBe(8);
      } finally {
        await pool.close();
      }
    });

    it('fails when a worker cannot start, and rejects pending jobs when a worker dies', async () => {
      const start = createWorkerPool<Job, Result, { factor: number; failStart: boolean }>({ script, setup: { factor: 1, failStart: true }, workers: 2, createHandler: handler });
      await expect(start).rejects.toMatchObject({ code: 'test-start', message: 'cannot start', exitCode: 2 });
      const pool = await createWorkerPool<Job, Result, { factor: number }>({ script, setup: { factor: 1 }, workers: 1, createHandler: handler });
      try {
        await expect(pool.run({ n: 1, exit: true })).rejects.toThrow(/exited with code 3/);
      } finally {
        await pool.close();
      }
    });
  });
});
