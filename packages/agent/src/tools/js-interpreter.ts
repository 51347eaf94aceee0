/**
 * The `javascript` tool: the code runs through @chainlm/sandbox in a fresh QuickJS
 * (WebAssembly) runtime inside a worker thread — no filesystem, network, timers or
 * `require` exist in it, only the language and a captured `console.log`. QuickJS's
 * interrupt handler stops it at the deadline and the worker is terminated if it does
 * not; `memoryLimitBytes` caps the QuickJS heap and a small stack turns runaway
 * recursion into a "stack overflow".
 */
import { runUntrusted, type UntrustedResult } from '@chainlm/sandbox';
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
      const timeLimitMs = Math.min(settings.timeLimitMs, context.timeoutMs);
      const outcome = await runUntrusted({ language: 'javascript', code, limits: { ...settings, timeLimitMs }, signal: context.signal });
      if (outcome.status === 'ok') return { result: outcome.value === undefined ? null : outcome.value, stdout: outcome.stdout };
      throw toolError(outcome, timeLimitMs, settings.memoryLimitBytes);
    },
  });
}

function toolError(outcome: UntrustedResult, timeLimitMs: number, memoryLimitBytes: number): ToolError {
  const { name, message } = outcome.error ?? { name: 'Error', message: 'failed' };
  switch (outcome.status) {
    case 'timeout':
      return new ToolError('time-limit', `JavaScript ran longer than ${timeLimitMs} ms and was stopped`, 'avoid endless loops; do less work per call');
    case 'memory-limit':
      return message === 'stack overflow'
        ? new ToolError('memory-limit', 'JavaScript overflowed the stack (too deep recursion) and was stopped', 'use a loop instead of deep recursion')
        : new ToolError('memory-limit', `JavaScript used more than ${Math.round(memoryLimitBytes / 1048576)} MiB and was stopped (${message})`, 'work on smaller data');
    case 'violation':
      return new ToolError('sandbox-violation', outcome.violation ?? `${name}: ${message}`, 'compute with plain JavaScript only');
    default:
      return new ToolError('execution-error', `${name}: ${message}`, 'fix the code and call the tool again');
  }
}
