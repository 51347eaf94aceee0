/** The --workers option shared by clean, dedup and tokenize. */
import { UsageError } from '@chainlm/core';

export const workersOption = { type: 'number', valueName: 'N', description: 'worker threads (0 = main thread only; default: tokenize one per core, clean/dedup none on ≤ 2 cores, else cores − 1)' } as const;

/** --workers: a non-negative integer, or absent (the command's default). */
export function checkWorkers(command: string, workers: number | undefined): number | undefined {
  if (workers !== undefined && !(Number.isInteger(workers) && workers >= 0)) throw new UsageError(`${command}: --workers must be an integer ≥ 0, got ${workers}`);
  return workers;
}
