/**
 * A pool of worker threads running one kind of job, with an in-thread fallback that
 * runs the same handler, so both paths give the same results. Jobs go round-robin and
 * every job's promise settles; a caller that awaits them in submission order gets
 * results in order. The worker script is a compiled `.js` beside the caller: when it
 * is absent (running from sources, e.g. vitest) or `workers` is 0, jobs run here.
 *
 * Worker side: `serveJobs(createHandler)` (serve-jobs.ts).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { errorFrom, type ErrorMessage } from './worker-errors.js';

export interface WorkerPool<Job, Result> {
  /** Worker threads in use; 0 when jobs run in this thread. */
  workers: number;
  run(job: Job): Promise<Result>;
  close(): Promise<void>;
}

export interface PoolOptions<Job, Result, Setup> {
  /** The compiled worker script (`new URL('./x-worker.js', import.meta.url)`). */
  script: URL;
  /** Passed to the handler factory, in this thread or as each worker's workerData. */
  setup: Setup;
  workers: number;
  /** Builds the job handler (the same function the worker script serves). */
  createHandler(setup: Setup): Promise<(job: Job) => Result> | ((job: Job) => Result);
}

export async function createWorkerPool<Job, Result, Setup>(options: PoolOptions<Job, Result, Setup>): Promise<WorkerPool<Job, Result>> {
  const script = fileURLToPath(options.script);
  if (options.workers <= 0 || !existsSync(script)) {
    const handle = await options.createHandler(options.setup);
    return { workers: 0, run: async (job) => handle(job), close: async () => undefined };
  }
  const started = await Promise.allSettled(Array.from({ length: options.workers }, () => startWorker(script, options.setup)));
  const threads = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failed = started.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    await Promise.all(threads.map((thread) => thread.terminate()));
    throw failed.reason;
  }
  const pending = new Map<number, { resolve(value: Result): void; reject(error: Error): void }>();
  const failAll = (error: Error) => {
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  for (const thread of threads) {
    thread.on('message', (message: { id: number; result?: Result } & Partial<ErrorMessage>) => {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(errorFrom(message as ErrorMessage));
      else waiter?.resolve(message.result as Result);
    });
    thread.on('error', failAll);
    thread.on('exit', (code) => failAll(new Error(`worker thread ${script} exited with code ${code}`)));
  }
  let next = 0;
  return {
    workers: threads.length,
    run(job) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        threads[id % threads.length].postMessage({ id, job });
      });
    },
    async close() {
      for (const thread of threads) thread.removeAllListeners('exit');
      await Promise.all(threads.map((thread) => thread.terminate()));
    },
  };
}

function startWorker(script: string, setup: unknown): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: setup });
    const onMessage = (message: { ready?: boolean } & Partial<ErrorMessage>) => {
      if (message.error !== undefined) reject(errorFrom(message as ErrorMessage));
      if (!message.ready) return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      resolve(worker);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}
