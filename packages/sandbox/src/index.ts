export { runUntrusted, pythonUnavailableReason, unsafeHostPythonRequested, type UntrustedRun } from './run-untrusted.js';
export type { UntrustedResult, RunStatus, Isolation } from './result.js';
export { sandboxLimitsSchema, resolveLimits, type SandboxLimits, type SandboxLimitsInput } from './limits.js';
export { probeSandbox, overrideSandboxProbe, type SandboxProbe } from './probe.js';
export { SandboxError, installHint, type SandboxErrorCode } from './errors.js';
export { unsafeWarning } from './run-unsafe-host.js';
export { escapeAttacks, startEscapeWitness, type EscapeAttack, type EscapeWitness } from './escape-suite.js';
