/**
 * A pool of tokenizer worker threads (one per core by default) with an in-process
 * fallback. Jobs are answered in submission order. Workers run the compiled
 * tokenize-worker.js; when that file is absent (running from sources, e.g. tests) or
 * `workers` is 0, jobs run in this thread with the same code.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { createJobEncoder, type EncodeJob, type EncodedBatch, type EncoderSetup } from './encode-job.js';

export interface EncoderPool {
  workers: number;
  encode(job: EncodeJob): Promise<EncodedBatch>;
  close(): Promise<void>;
}

export async function createEncoderPool(setup: EncoderSetup, workers = availableParallelism()): Promise<EncoderPool> {
  const script = fileURLToPath(new URL('./tokenize-worker.js', import.meta.url));
  if (workers <= 0 || !existsSync(script)) {
    const encode = await createJobEncoder(setup);
    return { workers: 0, encode: async (job) => encode(job), close: async () => undefined };
  }
  const threads = await Promise.all(Array.from({ length: workers }, () => startWorker(script, setup)));
  const pending = new Map<number, { resolve(value: EncodedBatch): void; reject(error: Error): void }>();
  for (const thread of threads) {
    thread.on('message', (message: { id: number; result?: EncodedBatch; error?: string }) => {
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(message.error));
      else waiter?.resolve(message.result!);
    });
    thread.on('error', (error) => {
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    });
  }
  let next = 0;
  return {
    workers,
    encode(job) {
      const id = next++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        threads[id % threads.length].postMessage({ id, job });
      });
    },
    async close() {
      await Promise.all(threads.map((thread) => thread.terminate()));
    },
  };
}

function startWorker(script: string, setup: EncoderSetup): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: setup });
    const onMessage = (message: { ready?: boolean }) => {
      if (!message.ready) return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      resolve(worker);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}
