/** Errors across the thread boundary: a ChainlmError keeps its code, hint and exit code. */
import { ChainlmError } from '@chainlm/core';

/** What crosses the thread boundary of an error: its message, and a ChainlmError's code, hint and exit code. */
export interface ErrorMessage {
  error: string;
  code?: string;
  hint?: string;
  exitCode?: 1 | 2;
}

export function errorMessage(error: unknown): ErrorMessage {
  if (error instanceof ChainlmError) return { error: error.message, code: error.code, hint: error.hint, exitCode: error.exitCode };
  return { error: error instanceof Error ? error.message : String(error) };
}

/** Rebuilds the error on the pool's side (a ChainlmError keeps its code, hint and exit code). */
export function errorFrom(message: ErrorMessage): Error {
  return message.code === undefined ? new Error(message.error) : new ChainlmError(message.code, message.error, { hint: message.hint, exitCode: message.exitCode });
}
