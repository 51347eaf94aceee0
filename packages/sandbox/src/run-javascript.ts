/**
 * Runs JavaScript in QuickJS compiled to WebAssembly, inside a worker thread.
 * The boundary is QuickJS itself: a fresh runtime per call whose only host function is
 * a captured `console.log` — no filesystem, network, timers, `require` or modules exist
 * in it by construction. The worker adds the hard stop: QuickJS's interrupt handler
 * ends a loop at the deadline, and if something the handler cannot interrupt runs on
 * (one huge native operation), the worker is terminate()d a grace period later.
 * A worker that finished a call cleanly is kept (at most `maxIdleWorkers`) for the
 * next one: a fresh worker costs ~125 ms (thread start + QuickJS wasm compile), a warm
 * one ~1 ms (docs/benchmarks/eval.md). Only the QuickJS runtime — all state the code
 * can touch — is per call. A worker that was terminated, crashed or could not free its
 * runtime (after out-of-memory) is never reused.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SandboxLimits } from './limits.js';
import type { RunStatus, UntrustedResult } from './result.js';

/**
 * Milliseconds past the time limit before the worker is terminated. A backstop only:
 * QuickJS's interrupt stops ordinary code at the limit; this catches what it cannot
 * (one long native operation). Generous, because on a loaded 2-core machine a kept
 * worker was measured to need over a second of wall clock for a call of ~1 ms CPU.
 */
export const workerGraceMs = 5_000;
/**
 * Milliseconds a new worker may take to start and compile QuickJS. Not counted against
 * the code's time limit: on a loaded machine start-up alone can exceed a short limit.
 */
export const workerStartTimeoutMs = 30_000;

const quickjsPath = createRequire(import.meta.url).resolve('quickjs-emscripten');

// Plain CommonJS, evaluated by the worker (a string, so no bundler or build step touches it).
// One job at a time: { code, timeLimitMs, memoryLimitBytes, maxOutputChars } -> { value | error, stdout, reusable }.
const workerSource = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { getQuickJS, shouldInterruptAfterDeadline } = require(workerData.quickjsPath);
const format = (value) => (typeof value === 'string' ? value : JSON.stringify(value) ?? String(value));
const modulePromise = getQuickJS();
modulePromise.then(() => parentPort.postMessage({ ready: true }), () => process.exit(1));
function run(quickjs, { code, timeLimitMs, memoryLimitBytes, maxOutputChars }) {
  const runtime = quickjs.newRuntime();
  runtime.setMemoryLimit(memoryLimitBytes);
  runtime.setMaxStackSize(256 * 1024);
  runtime.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + timeLimitMs));
  const vm = runtime.newContext();
  const lines = [];
  let used = 0;
  const log = vm.newFunction('log', (...args) => {
    const line = args.map((arg) => format(vm.dump(arg))).join(' ');
    if (used < maxOutputChars) lines.push(line.slice(0, maxOutputChars - used));
    used += line.length;
  });
  const consoleObject = vm.newObject();
  for (const method of ['log', 'info', 'warn', 'error']) vm.setProp(consoleObject, method, log);
  vm.setProp(vm.global, 'console', consoleObject);
  consoleObject.dispose();
  log.dispose();
  const evaluated = vm.evalCode(code, 'sandbox.js');
  let message;
  if (evaluated.error) {
    const failure = vm.dump(evaluated.error);
    evaluated.error.dispose();
    const error = failure !== null && typeof failure === 'object'
      ? { name: String(failure.name ?? 'Error'), message: String(failure.message ?? JSON.stringify(failure)) }
      : { name: 'Error', message: String(failure) };
    message = { error, stdout: lines.join('\n') };
  } else {
    const value = vm.dump(evaluated.value);
    evaluated.value.dispose();
    message = { value, stdout: lines.join('\n') };
  }
  let reusable = true;
  try { vm.dispose(); runtime.dispose(); } catch { reusable = false; }
  return { ...message, reusable };
}
parentPort.on('message', async (job) => {
  let reply;
  try {
    reply = run(await modulePromise, job);
  } catch (crash) {
    reply = { error: { name: 'InternalError', message: String((crash && crash.message) || crash) }, stdout: '', reusable: false };
  }
  parentPort.postMessage(reply);
});
`;

interface WorkerReply {
  value?: unknown;
  error?: { name: string; message: string };
  stdout: string;
  reusable: boolean;
}

export interface JavascriptJob {
  code: string;
  limits: SandboxLimits;
  signal?: AbortSignal;
}

/** Workers kept between calls; more concurrent calls start more, the extras end. */
export const maxIdleWorkers = 2;
const idle: Worker[] = [];

/** A worker whose QuickJS module is loaded, or null if it did not get there in time. */
async function readyWorker(): Promise<Worker | null> {
  const kept = idle.pop();
  if (kept !== undefined) return kept;
  const worker = startWorker();
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), workerStartTimeoutMs);
    worker.once('message', () => (clearTimeout(timer), resolve(true)));
    worker.once('exit', () => (clearTimeout(timer), resolve(false)));
  });
  if (ready) return worker;
  void worker.terminate();
  return null;
}

function startWorker(): Worker {
  const worker = new Worker(workerSource, {
    eval: true,
    env: {},
    workerData: { quickjsPath },
    // The worker's own JS heap only holds the glue; QuickJS's heap is wasm memory, capped per call.
    resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
    stdout: true,
    stderr: true,
  });
  worker.unref(); // the per-call timer keeps the process alive while a call runs
  worker.on('error', () => {}); // reported to the waiting call through 'exit'
  return worker;
}

function release(worker: Worker, reusable: boolean): void {
  if (reusable && idle.length < maxIdleWorkers) idle.push(worker);
  else void worker.terminate();
}

export async function runJavascriptInWorker(job: JavascriptJob): Promise<UntrustedResult> {
  const started = performance.now();
  const { timeLimitMs, memoryLimitBytes, maxOutputChars } = job.limits;
  const worker = await readyWorker();
  if (worker === null) {
    return { status: 'error', exitCode: null, stdout: '', stderr: '', timedOut: false, durationMs: performance.now() - started, isolation: 'quickjs-worker', error: { name: 'InternalError', message: `the QuickJS worker did not start within ${workerStartTimeoutMs} ms` } };
  }
  let stopped: 'deadline' | 'abort' | null = null;
  const reply = await new Promise<WorkerReply | null>((resolve) => {
    const stop = (why: 'deadline' | 'abort') => {
      stopped ??= why;
      void worker.terminate();
    };
    const timer = setTimeout(() => stop('deadline'), timeLimitMs + workerGraceMs);
    const onAbort = () => stop('abort');
    const onMessage = (received: WorkerReply) => settle(received);
    const onExit = () => settle(null);
    const settle = (received: WorkerReply | null) => {
      clearTimeout(timer);
      job.signal?.removeEventListener('abort', onAbort);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve(received);
    };
    worker.on('message', onMessage);
    worker.on('exit', onExit);
    job.signal?.addEventListener('abort', onAbort, { once: true });
    if (job.signal?.aborted) stop('abort');
    else worker.postMessage({ code: job.code, timeLimitMs, memoryLimitBytes, maxOutputChars });
  });
  if (reply !== null) release(worker, reply.reusable && stopped === null);
  const base = { exitCode: null, stderr: '', durationMs: performance.now() - started, isolation: 'quickjs-worker' as const };
  if (reply === null) {
    const status: RunStatus = stopped === 'deadline' ? 'timeout' : 'error';
    return { ...base, status, stdout: '', timedOut: status === 'timeout', error: { name: 'InternalError', message: stopped === 'abort' ? 'aborted' : stopped === 'deadline' ? 'interrupted' : 'the worker died' } };
  }
  if (reply.error === undefined) return { ...base, status: 'ok', stdout: reply.stdout, timedOut: false, value: reply.value };
  const status = javascriptStatus(reply.error);
  return {
    ...base,
    status,
    stdout: reply.stdout,
    timedOut: status === 'timeout',
    error: reply.error,
    ...(status === 'violation' ? { violation: `${reply.error.name}: ${reply.error.message} — the sandbox has no filesystem, network or process access` } : {}),
  };
}

function javascriptStatus(error: { name: string; message: string }): RunStatus {
  if (error.name === 'InternalError' && error.message === 'interrupted') return 'timeout';
  if (error.name === 'InternalError' && ['out of memory', 'string too long', 'stack overflow'].includes(error.message)) return 'memory-limit';
  if (error.name === 'ReferenceError' && /'(require|fetch|process|XMLHttpRequest|WebSocket|std|os)' is not defined/.test(error.message)) return 'violation';
  return 'error';
}
