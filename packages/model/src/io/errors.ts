import { ChainlmError } from '@chainlm/core';

/**
 * Errors of the weight I/O. Each names the file (and tensor, where there is one) and
 * says how to fix it. A malformed or unsupported file is the user's input: exit code 2.
 */
export function weightFileError(file: string, message: string, hint: string): ChainlmError {
  return new ChainlmError('weights-invalid', `${file}: ${message}`, { hint, exitCode: 2 });
}

export function tensorError(file: string, tensor: string, message: string, hint: string): ChainlmError {
  return new ChainlmError('weights-invalid', `${file}: tensor "${tensor}": ${message}`, { hint, exitCode: 2 });
}

export function missingFileError(file: string, what: string, hint: string): ChainlmError {
  return new ChainlmError('weights-missing', `${file}: ${what} not found`, { hint, exitCode: 2 });
}
