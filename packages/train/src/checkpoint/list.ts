/**
 * Checkpoint folders of a run, without reading them (no model package needed, so
 * `chainlm-train ls/show` start fast): checkpoints/<run>/step-N/, complete once
 * state.json is in place (folders are renamed in whole, see checkpoint.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface SavedCheckpoint {
  path: string;
  step: number;
}

const stepPattern = /^step-(\d+)$/;

export function checkpointPath(runCheckpoints: string, step: number): string {
  return join(runCheckpoints, `step-${step}`);
}

/** Complete checkpoints of a run, oldest first. */
export function listCheckpoints(runCheckpoints: string): SavedCheckpoint[] {
  if (!existsSync(runCheckpoints)) return [];
  return readdirSync(runCheckpoints)
    .map((name) => ({ name, match: stepPattern.exec(name) }))
    .filter(({ name, match }) => match !== null && existsSync(join(runCheckpoints, name, 'state.json')))
    .map(({ name, match }) => ({ path: join(runCheckpoints, name), step: Number(match![1]) }))
    .sort((a, b) => a.step - b.step);
}

export async function pruneCheckpoints(runCheckpoints: string, keepLast: number): Promise<void> {
  const all = listCheckpoints(runCheckpoints);
  for (const old of all.slice(0, Math.max(0, all.length - keepLast))) await rm(old.path, { recursive: true, force: true });
}

