/** The kernels package's error catalogue: bad operands from a caller (bugs), and settings. */
import { ChainlmError } from '@chainlm/core';

export type KernelsErrorCode = 'kernels-not-loaded' | 'kernels-operand' | 'kernels-threads-invalid' | 'kernels-mode-invalid';

export class KernelsError extends ChainlmError {
  constructor(code: KernelsErrorCode, message: string, hint: string) {
    super(code, message, { hint });
    this.name = 'KernelsError';
  }
}
