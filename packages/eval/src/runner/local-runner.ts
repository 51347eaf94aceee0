/**
 * The local runner: executes tasks in a worker pool with at most `concurrency`
 * running, each with its own progress bar (core EventBus). A failed task does
 * not stop the others (their predictions still get saved for a resume); the
 * failures are returned for the caller to report.
 */
import type { EventBus, TaskHandle } from '@chainlm/core';
import { mapWithLimit } from '../util/pool.js';

export interface RunnerTask<T> {
  id: string;
  label: string;
  total?: number;
  unit?: string;
  run(progress: TaskHandle | undefined): Promise<T>;
}

export type TaskOutcome<T> = { id: string; ok: true; value: T } | { id: string; ok: false; error: unknown };

export async function runTasks<T>(tasks: readonly RunnerTask<T>[], options: { concurrency: number; events?: EventBus }): Promise<TaskOutcome<T>[]> {
  return mapWithLimit(tasks, options.concurrency, async (task): Promise<TaskOutcome<T>> => {
    const progress = options.events?.task(task.id, { label: task.label, total: task.total, unit: task.unit });
    try {
      const value = await task.run(progress);
      progress?.finish();
      return { id: task.id, ok: true, value };
    } catch (error) {
      progress?.fail(error);
      return { id: task.id, ok: false, error };
    }
  });
}
