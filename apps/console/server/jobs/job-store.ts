/**
 * A job's folder, CHAINLM_HOME/jobs/<id>/:
 *   job.json      what to run: {id, kind, spec, steps, outputs, createdAt, runnerPid} (the console writes it)
 *   state.json    how it is going: {status, step, childPid, exitCode, signal, results} (the runner writes it)
 *   log.txt       every step's stderr, with a `$ command` line before each step
 *   stdout-N.txt  step N's stdout (the CLI's --json result)
 * The runner, not the console, writes the exit status, so a job that ends while
 * the console is down still has one; a runner that died without writing it is "lost".
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '@chainlm/core';
import type { JobKind, JobSpec, JobStep } from './job-spec.js';
import type { JobStatus } from '../wire.js';

export const jobStatuses = ['starting', 'running', 'succeeded', 'failed', 'cancelled', 'lost'] as const satisfies readonly JobStatus[];
export type { JobStatus };
export const activeStatuses: readonly JobStatus[] = ['starting', 'running'];

export interface JobRecord {
  id: string;
  kind: JobKind;
  spec: JobSpec;
  steps: JobStep[];
  outputs: Record<string, string>;
  createdAt: string;
  runnerPid?: number;
}

export interface JobState {
  status: JobStatus;
  /** Index of the step running (or the last one run). */
  step: number;
  childPid?: number;
  startedAt?: string;
  endedAt?: string;
  exitCode?: number | null;
  signal?: string | null;
  error?: string;
  /** Each finished step's parsed --json stdout (null when it printed none). */
  results: unknown[];
  cancelRequested?: boolean;
}

export type JobView = JobRecord & JobState & { logBytes: number };

export const jobFiles = (jobDir: string) => ({
  job: join(jobDir, 'job.json'),
  state: join(jobDir, 'state.json'),
  log: join(jobDir, 'log.txt'),
  runnerLog: join(jobDir, 'runner.txt'),
  stdout: (step: number) => join(jobDir, `stdout-${step}.txt`),
});

export function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined; // absent, or being replaced (writes are atomic renames, so this is rare)
  }
}

export function readJobState(jobDir: string): JobState {
  return readJson<JobState>(jobFiles(jobDir).state) ?? { status: 'starting', step: 0, results: [] };
}

export function writeJobState(jobDir: string, state: JobState): Promise<void> {
  return writeJsonAtomic(jobFiles(jobDir).state, state);
}

export function readJobView(jobDir: string): JobView | undefined {
  const record = readJson<JobRecord>(jobFiles(jobDir).job);
  if (!record) return undefined;
  const log = jobFiles(jobDir).log;
  return { ...record, ...readJobState(jobDir), logBytes: existsSync(log) ? statSync(log).size : 0 };
}

export function listJobDirs(jobsRoot: string): string[] {
  if (!existsSync(jobsRoot)) return [];
  return readdirSync(jobsRoot)
    .filter((name) => !name.startsWith('.'))
    .map((name) => join(jobsRoot, name))
    .filter((dir) => existsSync(jobFiles(dir).job));
}

/** Whether `pid` is alive and (where /proc exists) its command line mentions `marker`, so a reused pid is not mistaken for the job. */
export function processAlive(pid: number | undefined, marker?: string): boolean {
  if (pid === undefined || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const cmdline = `/proc/${pid}/cmdline`;
  if (marker === undefined || !existsSync('/proc/self/cmdline')) return true;
  try {
    return readFileSync(cmdline, 'utf8').includes(marker); // empty for a zombie
  } catch {
    return false;
  }
}

/** Reads log bytes [offset, offset + max) as text; `next` is where to continue. */
export function readLog(jobDir: string, offset: number, max = 256 * 1024): { text: string; next: number; size: number } {
  const file = jobFiles(jobDir).log;
  if (!existsSync(file)) return { text: '', next: 0, size: 0 };
  const buffer = readFileSync(file);
  const start = Math.min(Math.max(0, offset), buffer.length);
  const end = Math.min(buffer.length, start + max);
  return { text: buffer.subarray(start, end).toString('utf8'), next: end, size: buffer.length };
}
