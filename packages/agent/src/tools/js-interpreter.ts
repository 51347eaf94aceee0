/**
 * JavaScript interpreter in a QuickJS WebAssembly sandbox. Each call gets a fresh
 * QuickJS runtime: no filesystem, no network, no timers, no `require` — only the
 * language and a captured `console.log`. Limits: an interrupt handler stops the code
 * at the deadline; `setMemoryLimit` caps the heap; a small max stack turns runaway
 * recursion into a QuickJS "stack overflow" before it can reach the host's stack.
 */
import { getQuickJS, shouldInterruptAfterDeadline, type QuickJSContext, type QuickJSHandle } from 'quickjs-emscripten';
import { z } from 'zod';
import { ToolError } from '../errors.js';
import { defineTool } from './tool.js';

export interface JsSandboxLimits {
  /** Milliseconds of run time per call. */
  timeLimitMs: number;
  /** Heap bytes per call. */
  memoryLimitBytes: number;
  /** Characters of console output kept. */
  maxOutputChars: number;
}

export const defaultJsLimits: JsSandboxLimits = { timeLimitMs: 2_000, memoryLimitBytes: 32 * 1024 * 1024, maxOutputChars: 16_000 };

const inputSchema = z.strictObject({
  code: z.string().min(1).describe('JavaScript to run; the value of the last expression is returned, console.log output is captured'),
});
const outputSchema = z.object({ result: z.unknown(), stdout: z.string() });

export function createJsInterpreterTool(limits: Partial<JsSandboxLimits> = {}) {
  const settings = { ...defaultJsLimits, ...limits };
  return defineTool({
    name: 'javascript',
    description: 'Runs JavaScript in an isolated sandbox (no files, no network) and returns the last expression value and console output.',
    inputSchema,
    outputSchema,
    async call({ code }, context) {
      const quickjs = await getQuickJS();
      const runtime = quickjs.newRuntime();
      runtime.setMemoryLimit(settings.memoryLimitBytes);
      runtime.setMaxStackSize(256 * 1024);
      const timeLimitMs = Math.min(settings.timeLimitMs, context.timeoutMs);
      runtime.setInterruptHandler(shouldInterruptAfterDeadline(Date.now() + timeLimitMs));
      const vm = runtime.newContext();
      const output: string[] = [];
      try {
        installConsole(vm, output, settings.maxOutputChars);
        const evaluated = vm.evalCode(code, 'sandbox.js');
        if (evaluated.error) {
          const failure = vm.dump(evaluated.error) as { name?: string; message?: string } | string;
          evaluated.error.dispose();
          throw classify(failure, timeLimitMs, settings.memoryLimitBytes);
        }
        const result = vm.dump(evaluated.value);
        evaluated.value.dispose();
        return { result: result === undefined ? null : result, stdout: output.join('\n') };
      } finally {
        disposeQuietly(vm, runtime);
      }
    },
  });
}

function installConsole(vm: QuickJSContext, output: string[], maxChars: number): void {
  let used = 0;
  const log = vm.newFunction('log', (...args: QuickJSHandle[]) => {
    const line = args.map((arg) => formatValue(vm.dump(arg))).join(' ');
    if (used < maxChars) output.push(line.slice(0, maxChars - used));
    used += line.length;
  });
  const consoleObject = vm.newObject();
  for (const method of ['log', 'info', 'warn', 'error']) vm.setProp(consoleObject, method, log);
  vm.setProp(vm.global, 'console', consoleObject);
  consoleObject.dispose();
  log.dispose();
}

function formatValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
}

function classify(failure: { name?: string; message?: string } | string, timeLimitMs: number, memoryLimitBytes: number): ToolError {
  const name = typeof failure === 'string' ? 'Error' : (failure.name ?? 'Error');
  const message = typeof failure === 'string' ? failure : (failure.message ?? String(failure));
  if (name === 'InternalError' && message === 'interrupted') {
    return new ToolError('time-limit', `JavaScript ran longer than ${timeLimitMs} ms and was stopped`, 'avoid endless loops; do less work per call');
  }
  if (name === 'InternalError' && (message === 'out of memory' || message === 'string too long')) {
    return new ToolError('memory-limit', `JavaScript used more than ${Math.round(memoryLimitBytes / 1048576)} MiB and was stopped (${message})`, 'work on smaller data');
  }
  if (name === 'InternalError' && message === 'stack overflow') {
    return new ToolError('memory-limit', 'JavaScript overflowed the stack (too deep recursion) and was stopped', 'use a loop instead of deep recursion');
  }
  if (name === 'ReferenceError' && /'(require|fetch|process|XMLHttpRequest|WebSocket|std|os)' is not defined/.test(message)) {
    return new ToolError('sandbox-violation', `${name}: ${message} — the sandbox has no filesystem, network or process access`, 'compute with plain JavaScript only');
  }
  return new ToolError('execution-error', `${name}: ${message}`, 'fix the code and call the tool again');
}

function disposeQuietly(vm: QuickJSContext, runtime: { dispose(): void }): void {
  // After an out-of-memory abort QuickJS may assert on leaked objects while freeing;
  // the runtime is discarded either way, so a failed dispose is not the caller's problem.
  try {
    vm.dispose();
    runtime.dispose();
  } catch {
    /* discarded runtime */
  }
}
