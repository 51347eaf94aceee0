/**
 * The sandbox's error catalogue. Only setup problems throw: no safe sandbox on this
 * machine, or limits the caller got wrong. What untrusted code does (exits non-zero,
 * times out, runs out of memory, is refused by the jail) is an expected outcome and
 * comes back as a `status` in the result, never as a throw.
 */
import { ChainlmError } from '@chainlm/core';

export type SandboxErrorCode = 'sandbox-unavailable' | 'sandbox-invalid-request';

export class SandboxError extends ChainlmError {
  declare readonly code: SandboxErrorCode;

  constructor(code: SandboxErrorCode, message: string, hint: string, exitCode: 1 | 2 = 1) {
    super(code, message, { hint, exitCode });
    this.name = 'SandboxError';
  }
}

/** The one fix for a machine without a jail, named the same way by every caller. */
export const installHint = 'install bubblewrap (`apt-get install bubblewrap`) and allow unprivileged user namespaces (`sysctl -w kernel.unprivileged_userns_clone=1` where that knob exists)';
