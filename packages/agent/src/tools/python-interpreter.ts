/**
 * Python interpreter in a subprocess sandbox. Each call:
 *  - makes a fresh temp folder (`prelude.py` + `work/` as the cwd, deleted afterwards);
 *  - runs `bash -c 'ulimit -v KB; ulimit -t S; exec python3 -I prelude.py'` in its own
 *    process group with a minimal environment, so the kernel enforces address-space and
 *    CPU-second limits (SIGXCPU) even if the prelude's audit hook is bypassed;
 *  - kills the whole group at the wall-clock deadline or when the agent aborts.
 * Failures are classified from the exit signal and the traceback into
 * time-limit / memory-limit / sandbox-violation / execution-error tool errors.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ToolError } from '../errors.js';
import { pythonPrelude, resultMarker } from './python-prelude.js';
import { defineTool } from './tool.js';

export interface PythonSandboxLimits {
  /** Milliseconds of wall-clock time per call; CPU seconds are this rounded up. */
  timeLimitMs: number;
  /** Address-space bytes (ulimit -v). */
  memoryLimitBytes: number;
  /** Characters of stdout/stderr kept each. */
  maxOutputChars: number;
}

export const defaultPythonLimits: PythonSandboxLimits = { timeLimitMs: 5_000, memoryLimitBytes: 512 * 1024 * 1024, maxOutputChars: 16_000 };

let cachedPython: string | null | undefined;

/** Absolute path of the real python3 interpreter (not a pyenv shim), or null when absent. */
export function findPython(): string | null {
  if (cachedPython !== undefined) return cachedPython;
  try {
    cachedPython = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    cachedPython = null;
  }
  return cachedPython;
}

const inputSchema = z.strictObject({
  code: z.string().min(1).describe('Python 3 code; print() output and the value of a final expression are returned'),
});
const outputSchema = z.object({ result: z.string().nullable(), stdout: z.string(), stderr: z.string() });

interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  killedAtDeadline: boolean;
}

export function createPythonInterpreterTool(limits: Partial<PythonSandboxLimits> = {}) {
  const settings = { ...defaultPythonLimits, ...limits };
  return defineTool({
    name: 'python',
    description: 'Runs Python 3 in a sandboxed subprocess (temp folder, no network, time and memory limits) and returns stdout and the final expression value.',
    inputSchema,
    outputSchema,
    async call({ code }, context) {
      const python = findPython();
      if (!python) throw new ToolError('unavailable', 'python3 is not installed on this machine', 'install Python 3 or use the javascript tool');
      const timeLimitMs = Math.min(settings.timeLimitMs, context.timeoutMs);
      const root = await mkdtemp(join(tmpdir(), 'chainlm-py-'));
      try {
        const work = join(root, 'work');
        await mkdir(work);
        await writeFile(join(root, 'prelude.py'), pythonPrelude);
        await writeFile(join(work, 'main.py'), code);
        const outcome = await runSandboxed(python, root, work, timeLimitMs, settings, context.signal);
        return interpret(outcome, timeLimitMs, settings.memoryLimitBytes);
      } finally {
        await rm(root, { recursive: true, force: true });
      }
    },
  });
}

function runSandboxed(python: string, root: string, work: string, timeLimitMs: number, settings: PythonSandboxLimits, signal: AbortSignal): Promise<ProcessOutcome> {
  const memoryKb = Math.floor(settings.memoryLimitBytes / 1024);
  const cpuSeconds = Math.max(1, Math.ceil(timeLimitMs / 1000));
  const script = `ulimit -v ${memoryKb} && ulimit -t ${cpuSeconds} && exec "$0" -I "$1"`;
  const child = spawn('bash', ['-c', script, python, join(root, 'prelude.py')], {
    cwd: work,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: '/usr/bin:/bin', HOME: work, LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', PYTHONIOENCODING: 'utf-8' },
  });
  return new Promise((resolve, reject) => {
    const stdout = collector(settings.maxOutputChars);
    const stderr = collector(settings.maxOutputChars);
    child.stdout.on('data', stdout.push);
    child.stderr.on('data', stderr.push);
    let killedAtDeadline = false;
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      killedAtDeadline = true;
      killGroup();
    }, timeLimitMs + 250);
    const onAbort = () => killGroup();
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new ToolError('unavailable', `cannot start the Python sandbox: ${error.message}`, 'check that bash and python3 are installed'));
    });
    child.on('close', (exitCode, exitSignal) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve({ exitCode, signal: exitSignal, stdout: stdout.text(), stderr: stderr.text(), killedAtDeadline });
    });
  });
}

function collector(maxChars: number) {
  let text = '';
  return {
    push: (chunk: Buffer) => {
      if (text.length < maxChars) text += chunk.toString('utf8').slice(0, maxChars - text.length);
    },
    text: () => text,
  };
}

function interpret(outcome: ProcessOutcome, timeLimitMs: number, memoryLimitBytes: number) {
  const mib = Math.round(memoryLimitBytes / 1048576);
  if (outcome.killedAtDeadline || outcome.signal === 'SIGXCPU' || outcome.signal === 'SIGKILL') {
    throw new ToolError('time-limit', `Python ran longer than ${timeLimitMs} ms and was killed`, 'avoid endless loops and long sleeps; do less work per call');
  }
  const traceback = outcome.stderr.trim();
  const lastLine = traceback.split('\n').at(-1) ?? '';
  if (outcome.exitCode !== 0) {
    if (/MemoryError/.test(traceback)) {
      throw new ToolError('memory-limit', `Python used more than ${mib} MiB and was stopped (${lastLine})`, 'work on smaller data');
    }
    if (/SandboxViolation|sandbox: /.test(traceback)) {
      throw new ToolError('sandbox-violation', lastLine.replace(/^.*SandboxViolation: /, ''), 'use only files you create in the current folder; there is no network');
    }
    throw new ToolError('execution-error', `Python failed with exit code ${outcome.exitCode ?? outcome.signal}: ${tail(traceback, 1200)}`, 'fix the code and call the tool again');
  }
  const markerAt = outcome.stdout.indexOf(resultMarker);
  const stdout = markerAt < 0 ? outcome.stdout : outcome.stdout.slice(0, markerAt);
  const result = markerAt < 0 ? null : outcome.stdout.slice(markerAt + resultMarker.length);
  return { result, stdout, stderr: outcome.stderr };
}

function tail(text: string, chars: number): string {
  return text.length <= chars ? text : `…${text.slice(-chars)}`;
}
