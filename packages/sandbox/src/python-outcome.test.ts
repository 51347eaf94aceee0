import { describe, expect, it } from 'vitest';
import { pythonStatus, violationOf } from './python-outcome.js';

const end = { exitCode: 1, signal: null, stderr: '', killedAtDeadline: false };

describe('python outcome', () => {
  it('reads the deadline and both CPU limits as a timeout', () => {
    expect(pythonStatus({ ...end, exitCode: null, signal: 'SIGKILL', killedAtDeadline: true }).status).toBe('timeout');
    expect(pythonStatus({ ...end, exitCode: 128 + 24 }).status).toBe('timeout'); // SIGXCPU, soft limit
    expect(pythonStatus({ ...end, exitCode: 128 + 9 }).status).toBe('timeout'); // SIGKILL, hard limit
  });

  it('reads a MemoryError as the memory limit, other failures as errors', () => {
    expect(pythonStatus({ ...end, stderr: 'Traceback …\nMemoryError\n' }).status).toBe('memory-limit');
    expect(pythonStatus({ ...end, stderr: 'Traceback …\nValueError: x\n' }).status).toBe('error');
    expect(pythonStatus({ ...end, exitCode: 0 }).status).toBe('ok');
  });

  it('names what the jail refused, and not a missing file of the code’s own', () => {
    expect(violationOf("FileNotFoundError: [Errno 2] No such file or directory: '/etc/passwd'")).toMatch(/'\/etc\/passwd' does not exist in the sandbox/);
    expect(violationOf("FileNotFoundError: [Errno 2] No such file or directory: '/work/missing.txt'")).toBeUndefined();
    expect(violationOf('PermissionError: [Errno 1] Operation not permitted')).toMatch(/refused a system call/);
    expect(violationOf("OSError: [Errno 30] Read-only file system: '/x'")).toMatch(/only the work folder and \/tmp are writable/);
    expect(violationOf('ConnectionRefusedError: [Errno 111] Connection refused')).toMatch(/no network/);
  });
});
