/**
 * @chainlm/queue — tasks past one machine over BullMQ on Redis: a coordinator
 * puts a run's tasks on a queue named per run (`RunQueue`), worker processes on
 * any machine serve every open run of their family (`startQueueWorker`), and
 * `readQueueStatus` reads a run's depth, workers and task states in one call.
 * It knows nothing of eval or data: they pass tasks and handlers.
 */
export { QueueError, type QueueErrorCode } from './errors.js';
export { openRedis, checkRedis, parseRedisUrl, redactUrl, type RedisOptions } from './redis-connection.js';
export { queueName, jobId, taskIdOf } from './names.js';
export { RunQueue, type RunQueueOptions, type QueueTask, type QueueOutcome, type RunHooks } from './run-queue.js';
export { startQueueWorker, type QueueWorkerOptions, type QueueWorkerHandle, type WorkerTask } from './queue-worker.js';
export { readQueueStatus, listOpenRuns, type QueueStatus, type TaskStatus, type WorkerStatus } from './queue-status.js';
