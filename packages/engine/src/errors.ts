/**
 * The engine's error catalogue. Only bad input and bugs throw; expected failures on
 * the hot path (no free block, a request that must wait) are return values.
 */
import { ChainlmError } from '@chainlm/core';

export const engineErrorCodes = [
  'engine-request-invalid',
  'engine-request-too-long',
  'engine-request-duplicate',
  'engine-cache-too-small',
  'engine-block-invalid',
  'engine-quant-invalid',
  'engine-closed',
  'engine-bench-invalid',
  'engine-adapter-invalid',
  'engine-adapter-busy',
  'engine-replica-lost',
  'engine-model-folder',
  'engine-rank-failed',
  'engine-failed',
] as const;

export type EngineErrorCode = (typeof engineErrorCodes)[number];

/** Whether a code read off the wire (a replica's error, a cause's `code`) is one of the engine's. */
export function isEngineErrorCode(code: unknown): code is EngineErrorCode {
  return typeof code === 'string' && (engineErrorCodes as readonly string[]).includes(code);
}

export class EngineError extends ChainlmError {
  constructor(code: EngineErrorCode, message: string, hint: string, exitCode: 1 | 2 = 2) {
    super(code, message, { hint, exitCode });
    this.name = 'EngineError';
  }
}

export function invalidRequest(field: string, problem: string, fix: string): EngineError {
  return new EngineError('engine-request-invalid', `request.${field}: ${problem}`, fix);
}
