import { readFileSync } from 'node:fs';
import { writeJsonAtomic } from '@chainlm/core';

export interface StageState {
  status: 'done' | 'failed';
  hash: string;
  uses: string;
  outputs: Record<string, unknown>;
  artifacts: string[];
  summary: Record<string, unknown>;
  seconds: number;
  finishedAt: string;
  error?: string;
}

export type PipelineState = Record<string, StageState>;

export function readState(file: string): PipelineState {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PipelineState;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

export function writeState(file: string, state: PipelineState): Promise<void> {
  return writeJsonAtomic(file, state);
}
