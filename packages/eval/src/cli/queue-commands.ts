/**
 * The queue runner's commands: `worker` (serve eval tasks of every open run
 * until SIGINT/SIGTERM, finishing the tasks it holds) and `queue-status`
 * (what a console shows: depth, workers alive, task states).
 */
import { defineCommand, serveUntilStopped, UsageError } from '@chainlm/core';
import type { QueueStatus } from '@chainlm/queue';
import { EvalError } from '../errors.js';

const redisOption = { type: 'string', valueName: 'URL', description: 'Redis, e.g. redis://127.0.0.1:6379 (default: $REDIS_URL)' } as const;

function redisUrlFrom(value: string | undefined, command: string): string {
  const url = value ?? process.env.REDIS_URL;
  if (!url) throw new UsageError(`${command}: missing --redis URL (or $REDIS_URL)`, 'e.g. --redis redis://127.0.0.1:6379');
  return url;
}

// The queue modules are imported on use (BullMQ and ioredis take ~1 s to load): the other
// commands do not pay for them. Their QueueErrors (Redis unreachable, a bad URL) are
// ChainlmErrors, printed with their hint like any other.

export const workerCommand = defineCommand({
  name: 'worker',
  summary: 'run eval tasks from Redis for `chainlm-eval run --runner queue` (any number, on any machine)',
  description:
    'Serves every open run until SIGINT/SIGTERM (then finishes the tasks it holds). A worker needs Redis, the models (endpoints it can reach, or checkpoints at the same paths) and the datasets at the same paths as the coordinator.',
  options: {
    redis: redisOption,
    concurrency: { type: 'number', valueName: 'N', description: 'tasks at once per run (default 1)' },
    lockDuration: { type: 'number', valueName: 'MS', description: 'a task whose worker stops renewing its lock this long is handed to another worker (default 30000)' },
    stalledInterval: { type: 'number', valueName: 'MS', description: 'how often this worker looks for such stalled tasks (default 30000)' },
    workDir: { type: 'string', valueName: 'DIR', description: 'where in-task predictions are saved (default: $CHAINLM_HOME/cache/eval-worker)' },
  },
  examples: ['chainlm-eval worker --redis redis://10.0.0.5:6379', 'chainlm-eval worker --redis redis://127.0.0.1:6379 --concurrency 2'],
  async run({ options }) {
    const redisUrl = redisUrlFrom(options.redis, 'worker');
    const log = (line: string) => process.stderr.write(`worker ${process.pid}: ${line}\n`);
    const { startEvalWorker } = await import('../runner/eval-worker.js');
    const { handle: worker, lost } = await serveUntilStopped(
      (onLost) => startEvalWorker({ redisUrl, concurrency: options.concurrency, lockDurationMs: options.lockDuration, stalledIntervalMs: options.stalledInterval, workDir: options.workDir, log, onLost }),
      { started: (started) => log(`ready (${started.id}), waiting for tasks on ${redisUrl}`), stopping: () => log('stopping: finishing the tasks it holds') },
    );
    if (lost) throw new EvalError('eval-queue', lost.message, 'restart Redis and the worker', 1, lost);
    return { worker: worker.id, stopped: true };
  },
  render(result, print) {
    print(`worker ${(result as { worker: string }).worker} stopped`);
  },
});

export const queueStatusCommand = defineCommand({
  name: 'queue-status',
  summary: 'a queue run: depth, workers alive, task states (no RUN: the open runs)',
  positionals: [{ name: 'run', description: 'run name (as printed by run)' }],
  options: { redis: redisOption },
  async run({ options, positionals }) {
    const redisUrl = redisUrlFrom(options.redis, 'queue-status');
    const { listOpenRuns, readQueueStatus } = await import('@chainlm/queue');
    if (positionals[0] === undefined) return { runs: await listOpenRuns(redisUrl, 'eval') };
    return readQueueStatus(redisUrl, positionals[0], { family: 'eval' });
  },
  render(result, print) {
    if ('runs' in (result as object)) {
      const { runs } = result as { runs: string[] };
      print(runs.length === 0 ? 'no open queue runs' : runs.join('\n'));
      return;
    }
    const status = result as QueueStatus;
    const { counts } = status;
    print(`run ${status.runId} (${status.state}) queue ${status.queue}: ${counts.waiting} waiting, ${counts.active} active, ${counts.delayed} retrying, ${counts.completed} done, ${counts.failed} failed`);
    for (const worker of status.workers) print(`worker ${worker.id} heartbeat ${worker.lastHeartbeat}${worker.current.length > 0 ? ` running ${worker.current.map((current) => current.task).join(', ')}` : ' idle'}`);
    for (const task of status.tasks) print(`  ${task.id}  ${task.state}  tries ${task.attemptsMade}${task.worker ? `  on ${task.worker}` : ''}${task.failedReason ? `  ${task.failedReason}` : ''}`);
  },
});
