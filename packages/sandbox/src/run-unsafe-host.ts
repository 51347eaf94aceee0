/**
 * The explicit, loudly named escape hatch: Python on the host with rlimits and a temp
 * folder, and no isolation at all. Only reached when a caller passes
 * `unsafeHostPython: true` or CHAINLM_UNSAFE_HOST_PYTHON=1 is set; every call prints a
 * warning to stderr. Never a fallback.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rlimitArguments } from './jail-arguments.js';
import { prlimitPath } from './probe.js';
import { lastTracebackLine, pythonStatus } from './python-outcome.js';
import { headCollector, tailCollector, type UntrustedResult } from './result.js';
import type { PythonJob } from './run-python.js';
import { startGraceMs } from './run-python.js';

export const unsafeWarning = 'WARNING: chainlm is running untrusted Python on the host WITHOUT a sandbox (unsafeHostPython / CHAINLM_UNSAFE_HOST_PYTHON): it can read and write your files and reach the network.';

export async function runPythonOnHost(job: PythonJob): Promise<UntrustedResult> {
  process.stderr.write(`${unsafeWarning}\n`);
  const folder = await mkdtemp(join(tmpdir(), 'chainlm-unsafe-'));
  try {
    for (const [name, content] of [['main.py', job.code], ...Object.entries(job.files)]) await writeFile(join(folder, name), content);
    const started = performance.now();
    const child = spawn(prlimitPath, [...rlimitArguments(job.limits, job.limits.timeLimitMs, false), '--', 'python3', '-I', '-B', 'main.py', ...job.args], {
      cwd: folder,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: folder, LANG: 'C.UTF-8', ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}) },
    });
    const stdout = headCollector(job.limits.maxOutputChars);
    const stderr = tailCollector(job.limits.maxOutputChars);
    child.stdout.on('data', stdout.push);
    child.stderr.on('data', stderr.push);
    let killedAtDeadline = false;
    const kill = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => ((killedAtDeadline = true), kill()), job.limits.timeLimitMs + startGraceMs);
    job.signal?.addEventListener('abort', kill, { once: true });
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, sig) => resolve([code, sig]));
    }).finally(() => clearTimeout(timer));
    job.signal?.removeEventListener('abort', kill);
    const { status } = pythonStatus({ exitCode, signal, stderr: stderr.text(), killedAtDeadline });
    const errorMatch = status === 'ok' ? null : /^([\w.]+): ?(.*)$/.exec(lastTracebackLine(stderr.text()));
    return {
      status,
      exitCode,
      stdout: stdout.text(),
      stderr: stderr.text(),
      timedOut: status === 'timeout',
      durationMs: performance.now() - started,
      ...(errorMatch ? { error: { name: errorMatch[1], message: errorMatch[2] } } : {}),
      isolation: 'unsafe-host',
    };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
