/**
 * The Evaluation page's view of a BullMQ deployment, against a real Redis
 * (REDIS_URL; a printed reason and a skip outside CI, a failure in CI): a run with a
 * finished and a running task, the worker alive with its current task, then the run's
 * end — all read through /api/queue as the page reads it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skipUnlessPresent } from '@chainlm/core';
import { RunQueue, startQueueWorker, type QueueWorkerHandle } from '@chainlm/queue';
import { describe, expect, it } from 'vitest';
import { createConsoleApp } from '../app/create-app.js';
import type { QueueView } from '../wire.js';

const redisUrl = process.env.REDIS_URL;
const token = 'queue-view-token-0123456789';

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 500)}`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}

describe('console: distributed runs', () => {
  it('says how to turn the view on when the console has no --redis', async () => {
    const home = mkdtempSync(join(tmpdir(), 'console-queue-'));
    const consoleApp = await createConsoleApp({ home, token });
    try {
      const view = (await consoleApp.app.inject({ url: '/api/queue', headers: { authorization: `Bearer ${token}` } })).json() as QueueView;
      expect(view).toEqual({ configured: false, url: null, runs: [] });
    } finally {
      await consoleApp.close();
      rmSync(home, { recursive: true, force: true });
    }
  });

  it.skipIf(skipUnlessPresent(redisUrl !== undefined, 'the queue view reads a real Redis: start redis-server and export REDIS_URL=redis://127.0.0.1:PORT'))('shows queue depth, task states and the worker alive with its current task', async () => {
    const home = mkdtempSync(join(tmpdir(), 'console-queue-'));
    const consoleApp = await createConsoleApp({ home, token, redisUrl });
    const runId = `console_view_${process.pid}_${Date.now()}`;
    let release!: () => void;
    const gate = new Promise<void>((resolveGate) => (release = resolveGate));
    let worker: QueueWorkerHandle | undefined;
    const queue = await RunQueue.open({ redisUrl: redisUrl!, family: 'eval', runId, attempts: 1 });
    try {
      worker = await startQueueWorker<{ slow: boolean }, string>({ redisUrl: redisUrl!, family: 'eval', pollMs: 100, heartbeatMs: 200, handle: async (task) => (task.data.slow ? gate.then(() => 'slow done') : 'quick done') });
      const outcomes = queue.run<{ slow: boolean }, string>([
        { id: 'quick', name: 'infer', data: { slow: false } },
        { id: 'slow', name: 'infer', data: { slow: true } },
      ]);
      const read = async () => (await consoleApp.app.inject({ url: '/api/queue', headers: { authorization: `Bearer ${token}` } })).json() as QueueView;
      const running = await until(read, (view) => {
        const run = view.runs.find((entry) => entry.runId === runId);
        return run?.counts.completed === 1 && run.counts.active === 1 && run.workers.some((entry) => entry.current.some((task) => task.task === 'slow'));
      }, 'one completed and one active task');
      const run = running.runs.find((entry) => entry.runId === runId)!;
      expect(running).toMatchObject({ configured: true, url: redisUrl });
      expect(run.state).toBe('running');
      expect(run.tasks.map((task) => [task.id, task.state])).toEqual([['quick', 'completed'], ['slow', 'active']]);
      expect(run.workers.find((entry) => entry.pid === process.pid)).toBeTruthy();
      release();
      expect((await outcomes).every((outcome) => outcome.ok)).toBe(true);
      await queue.finish('done');
      const ended = await until(read, (view) => view.runs.find((entry) => entry.runId === runId)?.state === 'done', 'the run marked done');
      expect(ended.runs.find((entry) => entry.runId === runId)?.state).toBe('done');
    } finally {
      release();
      await worker?.close();
      await queue.close();
      await consoleApp.close();
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});
