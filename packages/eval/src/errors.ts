/**
 * The eval error catalogue. Every error a user can cause has a stable `code`, a
 * message naming the dataset/field/file involved and a hint saying how to fix it.
 * Exit code 2 = the user must fix input (config, data, flags); 1 = the run failed.
 */
import { ChainlmError } from '@chainlm/core';

export type EvalErrorCode =
  | 'eval-registry-duplicate'
  | 'eval-registry-unknown'
  | 'eval-template-column'
  | 'eval-template-candidates'
  | 'eval-dataset-missing'
  | 'eval-dataset-format'
  | 'eval-model-capability'
  | 'eval-model-request'
  | 'eval-model-response'
  | 'eval-clp-multi-token'
  | 'eval-run-not-found'
  | 'eval-sandbox'
  | 'eval-queue';

export class EvalError extends ChainlmError {
  constructor(code: EvalErrorCode, message: string, hint: string, exitCode: 1 | 2 = 2, cause?: unknown) {
    super(code, message, { hint, exitCode, cause });
    this.name = 'EvalError';
  }
}
