/** The --workers option shared by clean, dedup and tokenize. */
import { UsageError } from '@chainlm/core';

export const workersOption = { type: 'number', valueName: 'N', description: 'worker threads (default: one per core; 0 = main thread only)' } as const;

/** --workers: a non-negative integer, or absent (one per core). */
export function checkWorkers(command: string, workers: number | undefined): number | undefined {
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) throw new UsageError(`${command}: --workers must be an integer ≥ 0, got ${workers}`);
  return workers;
}
