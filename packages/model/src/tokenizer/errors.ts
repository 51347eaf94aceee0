import { ChainlmError } from '@chainlm/core';

/**
 * Errors of the tokenizer loaders. A malformed or unsupported tokenizer file is the
 * user's input (exit code 2); each message names the file and says how to fix it.
 */
export function tokenizerFileError(file: string, message: string, hint: string): ChainlmError {
  return new ChainlmError('tokenizer-invalid', `${file}: ${message}`, { hint, exitCode: 2 });
}

export function tokenizerMissingError(path: string, message: string, hint: string): ChainlmError {
  return new ChainlmError('tokenizer-missing', `${path}: ${message}`, { hint, exitCode: 2 });
}

/** A bad argument to a tokenizer function (not a file problem). */
export function tokenizerUsageError(message: string, hint: string): ChainlmError {
  return new ChainlmError('tokenizer-usage', message, { hint, exitCode: 2 });
}

export function chatTemplateError(source: string, message: string, hint: string): ChainlmError {
  return new ChainlmError('chat-template-invalid', `${source}: ${message}`, { hint, exitCode: 2 });
}
