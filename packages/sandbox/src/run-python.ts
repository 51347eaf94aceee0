/**
 * Runs Python in the jail (see jail-arguments.ts): `prlimit … bwrap … python3 -I -B
 * main.py ARGS`, with the code and extra files copied into /work through pipes. At the
 * deadline, or when the caller aborts, bwrap is SIGKILLed; it dies with its pid
 * namespace, so every process the code started dies with it.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import type { Writable } from 'node:stream';
import { bwrapArguments, jailUid, rlimitArguments } from './jail-arguments.js';
import type { SandboxLimits } from './limits.js';
import { bwrapPath, jailPython, prlimitPath, type SandboxProbe } from './probe.js';
import { lastTracebackLine, pythonStatus, type ProcessEnd } from './python-outcome.js';
import { headCollector, tailCollector, type UntrustedResult } from './result.js';
import { buildSeccompFilter } from './seccomp.js';

/** Milliseconds the jail gets on top of the time limit for its own start-up (~60–100 ms idle, measured over 250 ms under load). */
export const startGraceMs = 500;

export interface PythonJob {
  /** Source of main.py, the program run. */
  code: string;
  /** Extra files copied into /work (plain names). */
  files: Record<string, string>;
  args: string[];
  limits: SandboxLimits;
  signal?: AbortSignal;
}

const seccompFilter = buildSeccompFilter();

export async function runPythonInJail(job: PythonJob, probe: Extract<SandboxProbe, { available: true }>): Promise<UntrustedResult> {
  const files: [string, string][] = [['main.py', job.code], ...Object.entries(job.files)];
  const command = {
    program: jailPython,
    args: ['-I', '-B', 'main.py', ...job.args],
    fileNames: files.map(([name]) => name),
    seccomp: seccompFilter !== null,
    limitProcesses: probe.dropsToNobody,
    env: { PATH: '/usr/bin', HOME: '/work', TMPDIR: '/tmp', LANG: 'C.UTF-8' },
  };
  const args = [...rlimitArguments(job.limits, job.limits.timeLimitMs, probe.dropsToNobody), '--', bwrapPath, ...bwrapArguments(command, job.limits)];
  const pipes: StdioOptions = ['ignore', 'pipe', 'pipe', 'pipe', ...files.map(() => 'pipe' as const)];
  const started = performance.now();
  const child = spawn(prlimitPath, args, { stdio: pipes, detached: true, env: {}, ...(probe.dropsToNobody ? { uid: jailUid, gid: jailUid } : {}) });
  feed(child.stdio[3] as Writable, seccompFilter ?? Buffer.alloc(0));
  files.forEach(([, content], index) => feed(child.stdio[4 + index] as Writable, Buffer.from(content, 'utf8')));
  const end = await waitForEnd(child, job);
  const { status, violation } = pythonStatus(end);
  const traceback = lastTracebackLine(end.stderr);
  const errorMatch = status === 'ok' ? null : /^([\w.]+): ?(.*)$/.exec(traceback);
  return {
    status,
    exitCode: end.exitCode,
    stdout: end.stdout,
    stderr: end.stderr,
    timedOut: status === 'timeout',
    durationMs: performance.now() - started,
    ...(errorMatch ? { error: { name: errorMatch[1], message: errorMatch[2] } } : {}),
    ...(violation === undefined ? {} : { violation }),
    isolation: seccompFilter === null ? 'bwrap' : 'bwrap+seccomp',
  };
}

/** Writes a whole buffer into a pipe bwrap reads during set-up; a pipe it closed early is not our error. */
function feed(pipe: Writable, content: Buffer): void {
  pipe.on('error', () => {});
  pipe.end(content);
}

function waitForEnd(child: ReturnType<typeof spawn>, job: PythonJob): Promise<ProcessEnd & { stdout: string }> {
  const stdout = headCollector(job.limits.maxOutputChars);
  const stderr = tailCollector(job.limits.maxOutputChars);
  child.stdout!.on('data', stdout.push);
  child.stderr!.on('data', stderr.push);
  let killedAtDeadline = false;
  const killJail = () => {
    if (child.pid === undefined) return;
    for (const target of [-child.pid, child.pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  };
  const timer = setTimeout(() => {
    killedAtDeadline = true;
    killJail();
  }, job.limits.timeLimitMs + startGraceMs);
  const onAbort = () => killJail();
  job.signal?.addEventListener('abort', onAbort, { once: true });
  if (job.signal?.aborted) killJail();
  return new Promise((resolve, reject) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      job.signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode, signal, stdout: stdout.text(), stderr: stderr.text(), killedAtDeadline });
    });
  });
}
