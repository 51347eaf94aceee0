/**
 * Runs JavaScript in QuickJS compiled to WebAssembly, inside a worker thread.
 * The boundary is QuickJS itself: a fresh runtime per call whose only host function is
 * a captured `console.log` — no filesystem, network, timers, `require` or modules exist
 * in it by construction. The worker adds the hard stop: QuickJS's interrupt handler
 * ends a loop at the deadline, and if something the handler cannot interrupt runs on
 * (one huge native operation), the worker is terminate()d a grace period later.
 * Measured cheaper than a bwrap jail around a second Node (see docs/benchmarks/eval.md).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SandboxLimits } from './limits.js';
import type { RunStatus, UntrustedResult } from './result.js';

/** Milliseconds past the time limit before the worker is terminated (start-up + wasm load). */
export const workerGraceMs = 1_000;

const quickjsPath = createRequire(import.meta.url).resolve('quickjs-emscripten');

// Plain CommonJS, evaluated by the worker (a string, so no bundler or build step touches it).
const workerSource = String.raw`
const { parentPort, workerData } = require('node:worker_threads');
const { getQuickJS, shouldInterruptAfterDeadline } = require(workerData.quickjsPath);
const { code, timeLimitMs, memoryLimitBytes, maxOutputChars } = workerData;
const format = (value) => (typeof value === 'string' ? value : JSON.stringify(value) ?? String(value));
(async () => {
  const quickjs = await getQuickJS();
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
  parentPort.postMessage(message);
  try { vm.dispose(); runtime.dispose(); } catch {}
})().catch((crash) => parentPort.postMessage({ error: { name: 'InternalError', message: String(crash && crash.message || crash) }, stdout: '' }));
`;

interface WorkerMessage {
  value?: unknown;
  error?: { name: string; message: string };
  stdout: string;
}

export interface JavascriptJob {
  code: string;
  limits: SandboxLimits;
  signal?: AbortSignal;
}

export async function runJavascriptInWorker(job: JavascriptJob): Promise<UntrustedResult> {
  const started = performance.now();
  const { timeLimitMs, memoryLimitBytes, maxOutputChars } = job.limits;
  const worker = new Worker(workerSource, {
    eval: true,
    env: {},
    workerData: { quickjsPath, code: job.code, timeLimitMs, memoryLimitBytes, maxOutputChars },
    // The worker's own JS heap only holds the glue; QuickJS's heap is wasm memory, capped above.
    resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
    stdout: true,
    stderr: true,
  });
  let stopped: 'deadline' | 'abort' | null = null;
  const stop = (why: 'deadline' | 'abort') => {
    stopped ??= why;
    void worker.terminate();
  };
  const timer = setTimeout(() => stop('deadline'), timeLimitMs + workerGraceMs);
  const onAbort = () => stop('abort');
  job.signal?.addEventListener('abort', onAbort, { once: true });
  if (job.signal?.aborted) stop('abort');
  const message = await new Promise<WorkerMessage | null>((resolve) => {
    worker.once('message', (received: WorkerMessage) => resolve(received));
    worker.once('error', (error) => resolve({ error: { name: 'InternalError', message: error.message }, stdout: '' }));
    worker.once('exit', () => resolve(null));
  });
  clearTimeout(timer);
  job.signal?.removeEventListener('abort', onAbort);
  void worker.terminate();
  const base = { exitCode: null, stderr: '', durationMs: performance.now() - started, isolation: 'quickjs-worker' as const };
  if (message === null) {
    const status: RunStatus = stopped === 'deadline' ? 'timeout' : 'error';
    return { ...base, status, stdout: '', timedOut: status === 'timeout', error: { name: 'InternalError', message: stopped === 'abort' ? 'aborted' : 'interrupted' } };
  }
  if (message.error === undefined) return { ...base, status: 'ok', stdout: message.stdout, timedOut: false, value: message.value };
  const status = javascriptStatus(message.error);
  return {
    ...base,
    status,
    stdout: message.stdout,
    timedOut: status === 'timeout',
    error: message.error,
    ...(status === 'violation' ? { violation: `${message.error.name}: ${message.error.message} — the sandbox has no filesystem, network or process access` } : {}),
  };
}

function javascriptStatus(error: { name: string; message: string }): RunStatus {
  if (error.name === 'InternalError' && error.message === 'interrupted') return 'timeout';
  if (error.name === 'InternalError' && ['out of memory', 'string too long', 'stack overflow'].includes(error.message)) return 'memory-limit';
  if (error.name === 'ReferenceError' && /'(require|fetch|process|XMLHttpRequest|WebSocket|std|os)' is not defined/.test(error.message)) return 'violation';
  return 'error';
}
