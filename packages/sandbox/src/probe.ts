/**
 * Is there a safe sandbox on this machine? Checked once per process by building a real
 * jail and running `/usr/bin/true` in it: bwrap may be missing, or the kernel may
 * refuse user namespaces (a sysctl, a container without them). The answer is cached;
 * callers turn "no" into a refusal that names the fix, never into an unjailed run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { bwrapArguments } from './jail-arguments.js';
import { resolveLimits } from './limits.js';
import { buildSeccompFilter } from './seccomp.js';

export const bwrapPath = '/usr/bin/bwrap';
export const prlimitPath = '/usr/bin/prlimit';
/** The Debian interpreter, under the jail's read-only /usr (a pyenv shim would need /root). */
export const jailPython = '/usr/bin/python3';

export type SandboxProbe =
  | { available: true; python: boolean; seccomp: boolean; dropsToNobody: boolean }
  | { available: false; reason: string };

let cached: SandboxProbe | undefined;

export function probeSandbox(): SandboxProbe {
  cached ??= runProbe();
  return cached;
}

/**
 * For callers' tests: pretend this machine has (or lacks) a jail; undefined probes
 * again. Lets the "no sandbox → the tool is off and says why" paths be tripped here.
 */
export function overrideSandboxProbe(probe: SandboxProbe | undefined): void {
  cached = probe;
}

/** Root hands the jail to host uid 65534 (RLIMIT_NPROC then counts only jails). */
export function dropsToNobody(): boolean {
  return process.getuid?.() === 0;
}

function runProbe(): SandboxProbe {
  if (process.platform !== 'linux') return { available: false, reason: `the sandbox needs Linux namespaces; this is ${process.platform}` };
  if (!existsSync(bwrapPath)) return { available: false, reason: `${bwrapPath} is missing` };
  if (!existsSync(prlimitPath)) return { available: false, reason: `${prlimitPath} is missing (util-linux)` };
  // The namespaces are what can be refused; the seccomp filter is checked by the tests
  // (spawnSync cannot feed it on fd 3, and every Linux that runs bwrap has seccomp).
  const drop = dropsToNobody();
  const args = bwrapArguments({ program: '/usr/bin/true', args: [], fileNames: [], seccomp: false, limitProcesses: false, env: {} }, resolveLimits());
  const outcome = spawnSync(bwrapPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 10_000, ...(drop ? { uid: 65534, gid: 65534 } : {}) });
  if (outcome.error) return { available: false, reason: `bwrap could not be started: ${outcome.error.message}` };
  if (outcome.status !== 0) {
    const said = (outcome.stderr ?? '').trim().split('\n').at(-1) ?? '';
    return { available: false, reason: `bwrap could not build a jail (exit ${outcome.status}${said ? `: ${said}` : ''}); user namespaces may be off` };
  }
  return { available: true, python: existsSync(jailPython), seccomp: buildSeccompFilter() !== null, dropsToNobody: drop };
}
