/**
 * Runs a synchronous, CPU-bound tool function in a worker thread with a deadline that
 * really stops it. A promise race cannot stop `zeros(1e5, 1e5)`: the function never
 * yields, so the timer never fires and the whole process (the agent, the tool server)
 * waits. Here the function runs in a worker; at the deadline, on the caller's abort
 * signal, or on a memory-limit crash the worker is terminated, the call fails with a
 * ToolError, and a fresh worker is started (and warmed with the same module) for the
 * next call. The main thread's event loop stays free throughout.
 *
 * A task names an exported function of a module by URL. This file is also the worker's
 * entry (workerData.role === workerRole); the function is called as `fn(input)` and
 * may be async; a module's optional `prepareWorker()` export runs once per worker
 * before the clock starts (loading mathjs takes ~1 s and is not the caller's fault).
 * Inputs and outputs cross by structured clone; a thrown ToolError keeps its code.
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { builtModuleUrl } from '@chainlm/core';
import { AgentError, ToolError, toolErrorFromFailure } from '../errors.js';

const workerRole = 'chainlm-tool-worker';

export interface WorkerTask {
  /** URL of a built module (see builtModuleUrl). */
  module: string;
  exportName: string;
  input: unknown;
  /** Names the tool in error messages. */
  label: string;
}

export interface WorkerLimits {
  /** Milliseconds the function may run once started (module loading not counted). */
  timeLimitMs: number;
  signal?: AbortSignal;
}

export interface WorkerRunnerOptions {
  /** Workers running at once; further calls queue. Default 2. */
  maxWorkers?: number;
  /** V8 heap limit per worker, MiB (a memory bomb ends the worker, not the process). Default 512. */
  memoryLimitMb?: number;
}

interface Job {
  task: WorkerTask;
  limits: WorkerLimits;
  resolve: (output: unknown) => void;
  reject: (error: unknown) => void;
  timer?: NodeJS.Timeout;
  onAbort?: () => void;
}

type FromWorker = { type: 'started' } | { type: 'done'; output: unknown } | { type: 'failed'; error: { code?: string; message: string; hint?: string; tool: boolean } };

export class WorkerRunner {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private readonly warmModules = new Set<string>();
  private closed = false;

  constructor(private readonly options: WorkerRunnerOptions = {}) {}

  /** Runs `task` in a worker; rejects with ToolError 'time-limit' / 'memory-limit' / the function's own error. */
  run(task: WorkerTask, limits: WorkerLimits): Promise<unknown> {
    if (this.closed) return Promise.reject(new ToolError('unavailable', `${task.label}: its worker runner was closed`));
    if (limits.signal?.aborted) return Promise.reject(limits.signal.reason);
    return new Promise((resolve, reject) => {
      const job: Job = { task, limits, resolve, reject };
      job.onAbort = () => this.cancel(job, limits.signal!.reason);
      limits.signal?.addEventListener('abort', job.onAbort, { once: true });
      this.warmModules.add(task.module);
      this.queue.push(job);
      this.dispatch();
    });
  }

  /** Workers alive (idle or busy); for tests and leak guards. */
  get size(): number {
    return this.idle.length + this.busy.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) this.settle(job, new ToolError('unavailable', `${job.task.label}: its worker runner was closed`));
    const workers = [...this.idle.splice(0), ...this.busy.keys()];
    for (const [, job] of this.busy) this.settle(job, new ToolError('unavailable', `${job.task.label}: its worker runner was closed`));
    this.busy.clear();
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let worker = this.idle.pop();
      if (!worker) {
        if (this.busy.size >= (this.options.maxWorkers ?? 2)) return;
        worker = this.spawn();
      }
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      worker.ref();
      worker.postMessage({ type: 'run', module: job.task.module, exportName: job.task.exportName, input: job.task.input });
    }
  }

  private spawn(): Worker {
    const worker = new Worker(new URL(builtModuleUrl(import.meta.url)), {
      workerData: { role: workerRole, warm: [...this.warmModules] },
      resourceLimits: { maxOldGenerationSizeMb: this.options.memoryLimitMb ?? 512 },
    });
    worker.unref();
    worker.on('message', (message: FromWorker) => this.onMessage(worker, message));
    worker.on('error', (error: Error & { code?: string }) => this.onLost(worker, error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'memory-limit' : 'execution-error', error.message));
    worker.on('exit', (code) => this.onLost(worker, 'execution-error', `its worker exited with code ${code}`));
    return worker;
  }

  private onMessage(worker: Worker, message: FromWorker): void {
    const job = this.busy.get(worker);
    if (!job) return;
    if (message.type === 'started') {
      job.timer = setTimeout(() => {
        this.stop(worker);
        this.settle(job, new ToolError('time-limit', `${job.task.label} ran past its ${job.limits.timeLimitMs} ms limit and was stopped (its worker thread was terminated)`, 'simplify the input (smaller matrices, fewer steps)'));
      }, job.limits.timeLimitMs);
      return;
    }
    this.busy.delete(worker);
    if (message.type === 'done') this.settle(job, undefined, message.output);
    else this.settle(job, message.error.tool ? toolErrorFromFailure({ code: message.error.code ?? 'execution-error', message: message.error.message, hint: message.error.hint }) : new Error(message.error.message));
    worker.unref();
    if (this.closed) void worker.terminate();
    else this.idle.push(worker);
    this.dispatch();
  }

  /** A worker crashed or exited: fail its job and start a warm replacement. */
  private onLost(worker: Worker, code: 'memory-limit' | 'execution-error', reason: string): void {
    const index = this.idle.indexOf(worker);
    if (index >= 0) this.idle.splice(index, 1);
    const job = this.busy.get(worker);
    if (!job) return;
    this.busy.delete(worker);
    const message = code === 'memory-limit' ? `${job.task.label} ran out of its ${this.options.memoryLimitMb ?? 512} MiB memory limit and was stopped` : `${job.task.label} failed: ${reason}`;
    this.settle(job, new ToolError(code, message, code === 'memory-limit' ? 'use smaller values' : undefined));
    if (!this.closed) this.idle.push(this.spawn());
    this.dispatch();
  }

  private cancel(job: Job, reason: unknown): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    for (const [worker, running] of this.busy) if (running === job) this.stop(worker);
    this.settle(job, reason);
  }

  /** Terminates a busy worker and starts its replacement at once, so the next call finds a warm one. */
  private stop(worker: Worker): void {
    this.busy.delete(worker);
    worker.removeAllListeners('exit');
    worker.removeAllListeners('error');
    worker.on('error', () => {});
    void worker.terminate();
    if (this.closed) return;
    this.idle.push(this.spawn());
    this.dispatch();
  }

  private settle(job: Job, error: unknown, output?: unknown): void {
    clearTimeout(job.timer);
    if (job.onAbort) job.limits.signal?.removeEventListener('abort', job.onAbort);
    if (error === undefined) job.resolve(output);
    else job.reject(error);
  }
}

let shared: WorkerRunner | undefined;

/** The runner the builtin CPU-bound tools share (calculator, unit_convert). */
export function sharedWorkerRunner(): WorkerRunner {
  shared ??= new WorkerRunner();
  return shared;
}

async function serveAsWorker(): Promise<void> {
  const prepared = new Map<string, Promise<Record<string, unknown>>>();
  const load = (module: string) => {
    let loading = prepared.get(module);
    if (!loading) {
      loading = import(module).then(async (loaded: Record<string, unknown>) => {
        if (typeof loaded.prepareWorker === 'function') await (loaded.prepareWorker as () => Promise<void>)();
        return loaded;
      });
      prepared.set(module, loading);
    }
    return loading;
  };
  for (const module of (workerData as { warm: string[] }).warm) void load(module).catch(() => {});
  parentPort!.on('message', async (message: { type: 'run'; module: string; exportName: string; input: unknown }) => {
    try {
      const loaded = await load(message.module);
      const run = loaded[message.exportName];
      if (typeof run !== 'function') throw new Error(`${message.module} has no function ${message.exportName}`);
      parentPort!.postMessage({ type: 'started' });
      parentPort!.postMessage({ type: 'done', output: await (run as (input: unknown) => unknown)(message.input) });
    } catch (error) {
      const tool = error instanceof ToolError;
      parentPort!.postMessage({ type: 'failed', error: { tool, code: tool ? error.code : undefined, message: (error as Error).message ?? String(error), hint: tool ? error.hint : undefined } });
    }
  });
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === workerRole) await serveAsWorker();
