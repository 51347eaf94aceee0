/**
 * How each engine error code answers over HTTP: one typed table, so a code the engine
 * adds fails to compile here until it is given an answer (no matching on string
 * literals across packages). Used for exceptions an in-thread engine throws and for
 * the `errorCode` of a finish event (a replica's, or a failed rank's).
 */
import type { EngineErrorCode } from '@chainlm/engine';
import { ApiError, type ErrorKind } from './errors.js';

const answerOf: Record<EngineErrorCode, ErrorKind> = {
  'engine-request-invalid': 'invalidRequest',
  'engine-request-too-long': 'contextLengthExceeded',
  'engine-request-duplicate': 'invalidRequest',
  'engine-adapter-invalid': 'invalidRequest',
  'engine-adapter-busy': 'invalidRequest',
  'engine-replica-lost': 'replicaLost',
  'engine-cache-too-small': 'internal',
  'engine-block-invalid': 'internal',
  'engine-quant-invalid': 'internal',
  'engine-closed': 'internal',
  'engine-bench-invalid': 'internal',
  'engine-model-folder': 'internal',
  'engine-rank-failed': 'internal',
  'engine-failed': 'internal',
};

/** `param`: the request field an invalid-request error names, when the engine said which. */
export function engineApiError(code: EngineErrorCode, message: string, param: string | null = null): ApiError {
  const kind = answerOf[code];
  return new ApiError(kind, message, { param: kind === 'contextLengthExceeded' ? 'messages' : kind === 'invalidRequest' ? param : null });
}
