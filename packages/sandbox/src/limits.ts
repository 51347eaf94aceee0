/**
 * Per-call limits, one schema for every language. Defaults in one object, unknown keys
 * rejected, validated once per call and frozen. Units are in the names.
 */
import { validateConfig } from '@chainlm/core';
import { z } from 'zod';

const positive = z.number().int().positive();

export const sandboxLimitsSchema = z.strictObject({
  /** Wall-clock milliseconds; Python also gets ceil(ms / 1000) + 1 CPU seconds (RLIMIT_CPU). */
  timeLimitMs: positive.default(5_000),
  /** Python: address space (RLIMIT_AS). JavaScript: the QuickJS heap. */
  memoryLimitBytes: positive.default(512 * 1024 * 1024),
  /** Characters kept of stdout (its head) and of stderr (its tail). */
  maxOutputChars: positive.default(16_000),
  /** Largest file the code may write (RLIMIT_FSIZE). */
  maxFileBytes: positive.default(16 * 1024 * 1024),
  /** Size of each of the jail's two tmpfs folders, /work and /tmp (memory-backed). */
  workFolderBytes: positive.default(64 * 1024 * 1024),
  /** Open file descriptors (RLIMIT_NOFILE). */
  maxOpenFiles: positive.default(64),
  /**
   * Processes and threads (RLIMIT_NPROC). The kernel counts them per host uid, so it is
   * only set when the jail runs as host uid 65534 (the host process is root), and then
   * all jails running at once share it (each needs ~3: prlimit/bwrap, bwrap's init, the
   * interpreter) — hence generous. Otherwise the seccomp filter (no fork) and the pid
   * namespace bound a fork bomb.
   */
  maxProcesses: positive.default(128),
});

export type SandboxLimits = z.output<typeof sandboxLimitsSchema>;
export type SandboxLimitsInput = z.input<typeof sandboxLimitsSchema>;

export function resolveLimits(limits: SandboxLimitsInput = {}): Readonly<SandboxLimits> {
  return validateConfig(limits, sandboxLimitsSchema, 'sandbox limits');
}
