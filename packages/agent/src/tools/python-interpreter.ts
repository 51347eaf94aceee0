/**
 * The `python` tool: the code runs as a notebook cell (python-prelude.ts) in the jail of
 * @chainlm/sandbox — its own namespaces, uid 65534, read-only /usr, a tmpfs work
 * folder, no network, no child processes, rlimits and a wall-clock deadline. Without a
 * jail on this machine the tool is off and says how to get one; `unsafeHostPython`
 * (or CHAINLM_UNSAFE_HOST_PYTHON=1) runs on the host instead, with a warning each call.
 * The sandbox's status becomes a time-limit / memory-limit / sandbox-violation /
 * execution-error tool error.
 */
import { installHint, pythonUnavailableReason, runUntrusted, unsafeHostPythonRequested, type UntrustedResult } from '@chainlm/sandbox';
import { z } from 'zod';
import { ToolError } from '../errors.js';
import { pythonPrelude, resultMarker } from './python-prelude.js';
import { defineTool } from './tool.js';

export interface PythonSandboxLimits {
  /** Milliseconds of wall-clock time per call; CPU seconds are this rounded up, plus one. */
  timeLimitMs: number;
  /** Address-space bytes (RLIMIT_AS). */
  memoryLimitBytes: number;
  /** Characters of stdout/stderr kept each. */
  maxOutputChars: number;
  /** Run on the host without a sandbox (unsafe; warns every call). */
  unsafeHostPython?: boolean;
}

export const defaultPythonLimits: PythonSandboxLimits = { timeLimitMs: 5_000, memoryLimitBytes: 512 * 1024 * 1024, maxOutputChars: 16_000 };

/** The interpreter the tool runs (the jail's /usr/bin/python3), or null when the tool is off here. */
export function findPython(options: { unsafeHostPython?: boolean } = {}): string | null {
  if (unsafeHostPythonRequested(options)) return 'python3';
  return pythonUnavailableReason() === null ? '/usr/bin/python3' : null;
}

/** Why the python tool is off on this machine, or null when it can run. */
export function pythonToolUnavailableReason(options: { unsafeHostPython?: boolean } = {}): string | null {
  return unsafeHostPythonRequested(options) ? null : pythonUnavailableReason();
}

const inputSchema = z.strictObject({
  code: z.string().min(1).describe('Python 3 code; print() output and the value of a final expression are returned'),
});
const outputSchema = z.object({ result: z.string().nullable(), stdout: z.string(), stderr: z.string() });

export function createPythonInterpreterTool(limits: Partial<PythonSandboxLimits> = {}) {
  const { unsafeHostPython, ...settings } = { ...defaultPythonLimits, ...limits };
  return defineTool({
    name: 'python',
    description: 'Runs Python 3 in a sandbox (its own folder, no host files, no network, no processes, time and memory limits) and returns stdout and the final expression value.',
    inputSchema,
    outputSchema,
    async call({ code }, context) {
      const unavailable = pythonToolUnavailableReason({ unsafeHostPython });
      if (unavailable !== null) throw new ToolError('unavailable', `the python tool is off: ${unavailable}`, installHint);
      const timeLimitMs = Math.min(settings.timeLimitMs, context.timeoutMs);
      const outcome = await runUntrusted({
        language: 'python',
        code: pythonPrelude,
        files: { 'cell.py': code },
        limits: { timeLimitMs, memoryLimitBytes: settings.memoryLimitBytes, maxOutputChars: settings.maxOutputChars },
        signal: context.signal,
        unsafeHostPython,
      });
      return interpret(outcome, timeLimitMs, settings.memoryLimitBytes);
    },
  });
}

function interpret(outcome: UntrustedResult, timeLimitMs: number, memoryLimitBytes: number) {
  const lastLine = outcome.stderr.trim().split('\n').at(-1) ?? '';
  switch (outcome.status) {
    case 'timeout':
      throw new ToolError('time-limit', `Python ran longer than ${timeLimitMs} ms and was killed`, 'avoid endless loops and long sleeps; do less work per call');
    case 'memory-limit':
      throw new ToolError('memory-limit', `Python used more than ${Math.round(memoryLimitBytes / 1048576)} MiB and was stopped (${lastLine})`, 'work on smaller data');
    case 'violation':
      throw new ToolError('sandbox-violation', `${lastLine} — ${outcome.violation}`, 'use only files you create in the current folder; there is no network and no other process');
    case 'error':
      throw new ToolError('execution-error', `Python failed with exit code ${outcome.exitCode}: ${tail(outcome.stderr.trim(), 1200)}`, 'fix the code and call the tool again');
    case 'ok': {
      const markerAt = outcome.stdout.indexOf(resultMarker);
      const stdout = markerAt < 0 ? outcome.stdout : outcome.stdout.slice(0, markerAt);
      const result = markerAt < 0 ? null : outcome.stdout.slice(markerAt + resultMarker.length);
      return { result, stdout, stderr: outcome.stderr };
    }
  }
}

function tail(text: string, chars: number): string {
  return text.length <= chars ? text : `…${text.slice(-chars)}`;
}
