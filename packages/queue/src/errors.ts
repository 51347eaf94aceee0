/**
 * The queue error catalogue. Messages name the Redis URL or the task involved;
 * hints say what to run. Exit code 1 = the operation failed, 2 = bad input.
 */
import { ChainlmError } from '@chainlm/core';

export type QueueErrorCode = 'queue-redis-url' | 'queue-redis-unreachable' | 'queue-redis-lost' | 'queue-task-id';

export class QueueError extends ChainlmError {
  constructor(code: QueueErrorCode, message: string, hint: string, exitCode: 1 | 2 = 1, cause?: unknown) {
    super(code, message, { hint, exitCode, cause });
    this.name = 'QueueError';
  }
}
