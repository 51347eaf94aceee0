/**
 * Redis key layout, one place. A family (`eval`, `data`) is one kind of work
 * with its own workers; a run is one coordinator's set of tasks.
 *
 *   bull:chainlm-<family>-<runId>:*          BullMQ's own keys for the run's queue
 *   chainlm:queues:<family>                  set of the queue names workers should serve (and a pub/sub channel of changes)
 *   chainlm:run:<family>:<runId>             hash: state, tasks, coordinator, startedAt, endedAt
 *   chainlm:worker:<family>:<host>:<pid>     JSON heartbeat with a TTL (3 beats)
 */
import { QueueError } from './errors.js';

const safe = /^[A-Za-z0-9_.-]+$/;

export function checkName(what: string, value: string): string {
  if (!safe.test(value)) {
    throw new QueueError('queue-task-id', `${what} "${value}" may only use letters, digits, _ . - (BullMQ and our Redis keys use ':' as separator)`, `rename the ${what}`, 2);
  }
  return value;
}

export const queueName = (family: string, runId: string) => `chainlm-${checkName('family', family)}-${checkName('run id', runId)}`;
export const activeQueuesKey = (family: string) => `chainlm:queues:${family}`;
export const runKey = (family: string, runId: string) => `chainlm:run:${family}:${runId}`;
export const workerKeyPrefix = (family: string) => `chainlm:worker:${family}:`;

/** A task id (e.g. `toy/gsm8k_3`) as a BullMQ job id: ':' is not allowed there, numbers neither. */
export function jobId(taskId: string): string {
  return `t.${taskId.replaceAll(':', '%3A')}`;
}

export function taskIdOf(job: string): string {
  return job.replace(/^t\./, '').replaceAll('%3A', ':');
}
