/**
 * The one entry point for running code we did not write (agent tool calls, model
 * completions under test). Python runs in a bubblewrap jail with seccomp and rlimits;
 * JavaScript runs in QuickJS wasm in a worker thread. Without a jail on this machine
 * Python is refused with a SandboxError that names the fix — there is no silent
 * fallback; `unsafeHostPython` (or CHAINLM_UNSAFE_HOST_PYTHON=1) is the only way to
 * run without one, and it warns on every call.
 */
import { installHint, SandboxError } from './errors.js';
import { isPlainFileName } from './jail-arguments.js';
import { resolveLimits, type SandboxLimitsInput } from './limits.js';
import { jailPython, probeSandbox } from './probe.js';
import type { UntrustedResult } from './result.js';
import { runJavascriptInWorker } from './run-javascript.js';
import { runPythonInJail } from './run-python.js';
import { runPythonOnHost } from './run-unsafe-host.js';

export interface UntrustedRun {
  language: 'python' | 'javascript';
  /** Python: the source of main.py, run as `python3 -I -B main.py`. JavaScript: a script; its last expression is the value. */
  code: string;
  /** Python only: more files copied into the work folder, by plain name. */
  files?: Record<string, string>;
  /** Python only: sys.argv[1:]. */
  args?: string[];
  limits?: SandboxLimitsInput;
  signal?: AbortSignal;
  /** Run Python on the host without any isolation. Prints a warning on every call. */
  unsafeHostPython?: boolean;
}

export function unsafeHostPythonRequested(run: Pick<UntrustedRun, 'unsafeHostPython'>): boolean {
  return run.unsafeHostPython === true || process.env.CHAINLM_UNSAFE_HOST_PYTHON === '1';
}

/** Why Python cannot run safely here, or null when it can. */
export function pythonUnavailableReason(): string | null {
  const probe = probeSandbox();
  if (!probe.available) return `no safe sandbox for untrusted Python: ${probe.reason}`;
  if (!probe.python) return `no safe sandbox for untrusted Python: ${jailPython} is missing (the jail uses the system interpreter)`;
  return null;
}

export async function runUntrusted(run: UntrustedRun): Promise<UntrustedResult> {
  const limits = resolveLimits(run.limits);
  if (run.language === 'javascript') {
    if (run.files !== undefined || run.args !== undefined) throw new SandboxError('sandbox-invalid-request', 'files and args are for Python; JavaScript runs with no filesystem', 'pass the data inside the code', 2);
    return runJavascriptInWorker({ code: run.code, limits, signal: run.signal });
  }
  const files = run.files ?? {};
  const badName = Object.keys(files).find((name) => !isPlainFileName(name) || name === 'main.py');
  if (badName !== undefined) throw new SandboxError('sandbox-invalid-request', `file name "${badName}" is not allowed`, 'use a plain name like data.csv (letters, digits, . _ -), not main.py, no folders', 2);
  const job = { code: run.code, files, args: run.args ?? [], limits, signal: run.signal };
  if (unsafeHostPythonRequested(run)) return runPythonOnHost(job);
  const probe = probeSandbox();
  const reason = pythonUnavailableReason();
  if (reason !== null || !probe.available) throw new SandboxError('sandbox-unavailable', reason ?? 'no safe sandbox', installHint);
  return runPythonInJail(job, probe);
}
