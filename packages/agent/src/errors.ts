/**
 * The agent package's error catalogue. Two kinds of failure live here:
 *  - `AgentError` (a ChainlmError) for misuse and broken setups the caller must fix
 *    (unknown tool name, bad flag, unreachable model, a transcript that does not replay);
 *  - `ToolError` for the expected failures of a tool call (bad input, sandbox limit,
 *    blocked host). A tool throws it; `invokeTool` turns it into the structured
 *    `{ ok: false, error: { code, message } }` the agent reads and recovers from.
 */
import { ChainlmError } from '@chainlm/core';

export const toolErrorCodes = [
  'invalid-input',
  'unknown-tool',
  'timeout',
  'time-limit',
  'memory-limit',
  'sandbox-violation',
  'execution-error',
  'not-found',
  'host-not-allowed',
  'http-error',
  'read-only',
  'unavailable',
  'remote-error',
  'internal',
] as const;

export type ToolErrorCode = (typeof toolErrorCodes)[number];

export class ToolError extends Error {
  readonly code: ToolErrorCode;
  readonly hint: string | undefined;

  constructor(code: ToolErrorCode, message: string, hint?: string) {
    super(message);
    this.name = 'ToolError';
    this.code = code;
    this.hint = hint;
  }
}

export class AgentError extends ChainlmError {
  constructor(code: string, message: string, hint?: string, exitCode: 1 | 2 = 1) {
    super(code, message, { hint, exitCode });
    this.name = 'AgentError';
  }
}

/** Rebuilds a ToolError from a failure that crossed a wire; unknown codes become remote-error. */
export function toolErrorFromFailure(failure: { code: string; message: string; hint?: string }): ToolError {
  const code = (toolErrorCodes as readonly string[]).includes(failure.code) ? (failure.code as ToolErrorCode) : 'remote-error';
  return new ToolError(code, failure.message, failure.hint);
}
