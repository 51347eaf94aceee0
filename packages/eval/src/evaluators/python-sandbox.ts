/**
 * A HumanEval program run through @chainlm/sandbox's jail (namespaces, uid 65534,
 * read-only /usr, tmpfs work folder, no network, no child processes, rlimits, a
 * wall-clock deadline), reduced to passed / failed / timeout. Without a jail on this
 * machine it throws an EvalError that names bubblewrap — never an unjailed run, unless
 * `unsafeHostPython` (or CHAINLM_UNSAFE_HOST_PYTHON=1) says so, which warns every call.
 */
import { installHint, pythonUnavailableReason, runUntrusted, unsafeHostPythonRequested } from '@chainlm/sandbox';
import { EvalError } from '../errors.js';

export interface SandboxOptions {
  timeoutMs: number;
  memoryMb: number;
  /** Run on the host without any isolation (unsafe; warns every call). */
  unsafeHostPython?: boolean;
}

export interface SandboxResult {
  status: 'passed' | 'failed' | 'timeout';
  exitCode: number | null;
  /** Last 2,000 characters of stderr. */
  stderr: string;
}

/** Throws the EvalError a HumanEval run gets on a machine without a jail. */
export function assertPythonSandbox(options: { unsafeHostPython?: boolean } = {}): void {
  if (unsafeHostPythonRequested(options)) return;
  const reason = pythonUnavailableReason();
  if (reason !== null) throw new EvalError('eval-sandbox', `humaneval cannot run completions: ${reason}`, `${installHint}; or set the evaluator option unsafeHostPython: true (runs model code on this machine unprotected)`, 2);
}

export async function runPythonSandboxed(program: string, options: SandboxOptions): Promise<SandboxResult> {
  assertPythonSandbox(options);
  const result = await runUntrusted({
    language: 'python',
    code: program,
    limits: { timeLimitMs: options.timeoutMs, memoryLimitBytes: options.memoryMb * 1024 * 1024, maxOutputChars: 2_000 },
    unsafeHostPython: options.unsafeHostPython,
  });
  return { status: result.status === 'ok' ? 'passed' : result.status === 'timeout' ? 'timeout' : 'failed', exitCode: result.exitCode, stderr: result.stderr };
}
