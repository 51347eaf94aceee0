/**
 * From how the jailed Python ended to a status. The order matters: the deadline and
 * the CPU limit win over whatever the traceback says; a MemoryError is the address-space
 * limit; a traceback whose last line is one of the jail's refusals is a violation.
 */
import type { RunStatus } from './result.js';

export interface ProcessEnd {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  killedAtDeadline: boolean;
}

// bwrap passes a signalled child on as 128 + signal number.
const SIGKILL_EXIT = 128 + 9;
const SIGXCPU_EXIT = 128 + 24;

/** Paths that exist in the jail; a missing file elsewhere is one the jail hides. */
const jailPaths = /^'(\/work|\/tmp|\/usr|\/proc|\/dev)(\/|')/;

export function lastTracebackLine(stderr: string): string {
  return stderr.trim().split('\n').at(-1) ?? '';
}

export function violationOf(stderr: string): string | undefined {
  const line = lastTracebackLine(stderr);
  const missing = /^FileNotFoundError: \[Errno 2\] No such file or directory: ('\/[^']*')/.exec(line);
  if (missing && !jailPaths.test(missing[1])) return `${missing[1]} does not exist in the sandbox: only /usr (read-only), /tmp and the work folder do`;
  if (/\[Errno 30\] Read-only file system/.test(line)) return `${line.replace(/^\w+: /, '')}: only the work folder and /tmp are writable`;
  if (/^PermissionError: \[Errno 1\] Operation not permitted/.test(line)) return 'the sandbox refused a system call (no network, no child processes, no mounts or tracing)';
  if (/^PermissionError: \[Errno 13\]/.test(line)) return `${line.replace(/^\w+: /, '')}: the sandbox hides the host's files`;
  if (/^(ConnectionRefusedError|socket\.gaierror|OSError: \[Errno (97|99|101)\])/.test(line)) return `${line}: the sandbox has no network`;
  return undefined;
}

export function pythonStatus(end: ProcessEnd): { status: RunStatus; violation?: string } {
  if (end.killedAtDeadline || end.exitCode === SIGXCPU_EXIT || end.signal === 'SIGXCPU') return { status: 'timeout' };
  if (end.exitCode === 0) return { status: 'ok' };
  if (/\bMemoryError\b/.test(end.stderr)) return { status: 'memory-limit' };
  // Nothing of ours SIGKILLs the jail before the deadline but the hard CPU limit.
  if (end.exitCode === SIGKILL_EXIT || end.signal === 'SIGKILL') return { status: 'timeout' };
  const violation = violationOf(end.stderr);
  if (violation !== undefined) return { status: 'violation', violation };
  return { status: 'error' };
}
