/**
 * The command line that builds the jail: `prlimit` sets the rlimits and execs `bwrap`,
 * which makes fresh user/pid/net/ipc/uts/cgroup namespaces and a root holding only:
 *   /usr (read-only, the Debian interpreter lives there) and the /bin, /lib, /lib64
 *   symlinks into it; a private /proc and a minimal /dev (read-only, like the root
 *   itself); two size-capped tmpfs folders, /work (the cwd) and /tmp, the only
 *   writable places.
 * Nothing of the host's /root, /home, /etc, /tmp or the repository is mounted. Files
 * are copied in through pipes (`--file FD`), so no host folder is ever writable.
 * The code runs as uid/gid 65534 inside with every capability dropped, in its own
 * session (no TIOCSTI into our terminal), with a cleared environment; bwrap dies with
 * us (`--die-with-parent`) and takes the whole pid namespace with it.
 */
import type { SandboxLimits } from './limits.js';

export const jailUid = 65534;
export const workFolder = '/work';

export interface JailCommand {
  /** Program to run inside the jail, an absolute path under /usr. */
  program: string;
  args: string[];
  /** Names (no folders) of files copied into /work, in the fd order 4, 5, …. */
  fileNames: string[];
  /** Whether fd 3 carries a seccomp program. */
  seccomp: boolean;
  /** Set RLIMIT_NPROC (only meaningful when the jail runs as its own host uid). */
  limitProcesses: boolean;
  env: Record<string, string>;
}

/** First fd of the copied files; 0–2 are stdio, 3 the seccomp program. */
export const firstFileFd = 4;

export function rlimitArguments(limits: SandboxLimits, timeLimitMs: number, limitProcesses: boolean): string[] {
  // Soft CPU limit → SIGXCPU (bwrap exits 152, read as a timeout); the hard one a second later → SIGKILL.
  const cpuSeconds = Math.ceil(timeLimitMs / 1000) + 1;
  const rlimits = [`--as=${limits.memoryLimitBytes}`, `--cpu=${cpuSeconds}:${cpuSeconds + 1}`, `--fsize=${limits.maxFileBytes}`, `--nofile=${limits.maxOpenFiles}`, '--core=0'];
  if (limitProcesses) rlimits.push(`--nproc=${limits.maxProcesses}`);
  return rlimits;
}

export function bwrapArguments(command: JailCommand, limits: SandboxLimits): string[] {
  const args = [
    '--unshare-all',
    '--uid', String(jailUid),
    '--gid', String(jailUid),
    '--cap-drop', 'ALL',
    '--die-with-parent',
    '--new-session',
    '--hostname', 'sandbox',
    '--ro-bind', '/usr', '/usr',
    '--symlink', 'usr/bin', '/bin',
    '--symlink', 'usr/lib', '/lib',
    '--symlink', 'usr/lib64', '/lib64',
    '--proc', '/proc',
    '--dev', '/dev',
    '--size', String(limits.workFolderBytes), '--perms', '0700', '--tmpfs', workFolder,
    '--size', String(limits.workFolderBytes), '--perms', '1777', '--tmpfs', '/tmp',
    // bwrap's root and /dev are tmpfs folders without a size cap, writable by the jail's
    // uid: read-only, or files there could fill the host's memory.
    '--remount-ro', '/dev',
    '--chdir', workFolder,
    '--clearenv',
  ];
  for (const [name, value] of Object.entries(command.env)) args.push('--setenv', name, value);
  command.fileNames.forEach((name, index) => args.push('--file', String(firstFileFd + index), `${workFolder}/${name}`));
  if (command.seccomp) args.push('--seccomp', '3');
  args.push('--remount-ro', '/', '--', command.program, ...command.args);
  return args;
}

/** Names a caller may give a copied file: one path segment, no dot-dot, no surprises. */
export function isPlainFileName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]{0,99}$/.test(name) && !name.includes('..');
}
