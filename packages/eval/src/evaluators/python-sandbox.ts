/**
 * Runs untrusted Python (HumanEval completions) in a child process:
 *  - a fresh temporary directory as cwd, removed afterwards;
 *  - `python -I` (isolated: no user site, no PYTHON* env) with an empty env;
 *  - a prelude that sets rlimits (address space, CPU seconds, file size) and
 *    replaces socket/subprocess/os.system/fork/kill so the code has no network
 *    and cannot spawn or signal processes;
 *  - a wall-clock timeout that SIGKILLs the child's whole process group.
 * This is the guard human-eval's `reliability_guard` gives, not a security
 * boundary against a determined attacker: run it as an unprivileged user.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvalError } from '../errors.js';

export interface SandboxOptions {
  timeoutMs: number;
  memoryMb: number;
  /** Python interpreter; default: the real path of `python3` on PATH. */
  python?: string;
}

export interface SandboxResult {
  status: 'passed' | 'failed' | 'timeout';
  exitCode: number | null;
  /** Last 2,000 characters of stderr. */
  stderr: string;
}

const prelude = String.raw`
import builtins, os, resource, socket, sys
memory = int(sys.argv[1]) * 1024 * 1024
cpu = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
resource.setrlimit(resource.RLIMIT_FSIZE, (16 * 1024 * 1024, 16 * 1024 * 1024))
def _blocked(*args, **kwargs):
    raise PermissionError("blocked by the chainlm eval sandbox")
for name in ("socket", "create_connection", "create_server", "socketpair", "getaddrinfo", "fromfd"):
    setattr(socket, name, _blocked)
import subprocess
subprocess.Popen = _blocked
for name in ("system", "popen", "fork", "forkpty", "kill", "killpg", "execv", "execve", "execvp", "spawnv", "spawnve", "putenv", "setuid"):
    if hasattr(os, name):
        setattr(os, name, _blocked)
path = sys.argv[3]
with open(path) as handle:
    source = handle.read()
del sys.argv[1:]
exec(compile(source, path, "exec"), {"__name__": "__main__", "__builtins__": builtins})
`;

let resolvedPython: string | undefined;

/** The real interpreter path (a pyenv shim needs its env, which the sandbox drops). */
export function defaultPython(): string {
  if (resolvedPython) return resolvedPython;
  try {
    resolvedPython = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
  } catch (error) {
    throw new EvalError('eval-sandbox', 'python3 is not on PATH; HumanEval needs it to run completions', 'install Python 3 or set the evaluator option `python`', 2, error);
  }
  return resolvedPython;
}

export async function runPythonSandboxed(program: string, options: SandboxOptions): Promise<SandboxResult> {
  const directory = await mkdtemp(join(tmpdir(), 'chainlm-sandbox-'));
  try {
    await writeFile(join(directory, 'sandbox.py'), prelude);
    await writeFile(join(directory, 'program.py'), program);
    const cpuSeconds = Math.max(1, Math.ceil(options.timeoutMs / 1000));
    const child = spawn(options.python ?? defaultPython(), ['-I', 'sandbox.py', String(options.memoryMb), String(cpuSeconds), 'program.py'], {
      cwd: directory,
      env: {},
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    const exitCode = await new Promise<number | null>((resolveExit, rejectExit) => {
      child.on('error', rejectExit);
      child.on('close', (code) => resolveExit(code));
    }).finally(() => clearTimeout(timer));
    killGroup(child.pid);
    return { status: timedOut ? 'timeout' : exitCode === 0 ? 'passed' : 'failed', exitCode, stderr };
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}
