#!/usr/bin/env node
/**
 * The job runner: `node job-runner.js JOB_DIR`. Started detached by the console,
 * it runs the job's CLI steps one after another and writes state.json after each
 * change, so the job's fate is on disk even when the console is not running.
 * SIGTERM (cancel) is forwarded to the running step and no later step starts.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readFileSync } from 'node:fs';
import { cliPath } from './cli-paths.js';
import { jobFiles, readJson, writeJobState, type JobRecord, type JobState } from './job-store.js';

async function main(jobDir: string): Promise<void> {
  const record = readJson<JobRecord>(jobFiles(jobDir).job);
  if (!record) throw new Error(`no job.json in ${jobDir}`);
  const state: JobState = { status: 'running', step: 0, startedAt: new Date().toISOString(), results: [] };
  let child: ReturnType<typeof spawn> | undefined;
  const cancel = () => {
    state.cancelRequested = true;
    child?.kill('SIGTERM');
  };
  process.on('SIGTERM', cancel);
  process.on('SIGINT', cancel);
  await writeJobState(jobDir, state);
  for (const [index, step] of record.steps.entries()) {
    if (state.cancelRequested) break;
    state.step = index;
    appendFileSync(jobFiles(jobDir).log, `$ ${step.cli} ${step.args.map(quote).join(' ')}\n`);
    const out = openSync(jobFiles(jobDir).stdout(index), 'w');
    const err = openSync(jobFiles(jobDir).log, 'a');
    child = spawn(process.execPath, [cliPath(step.cli), ...step.args], { stdio: ['ignore', out, err], env: process.env });
    closeSync(out);
    closeSync(err);
    state.childPid = child.pid;
    await writeJobState(jobDir, state);
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
      child!.once('error', (error) => {
        state.error = error.message;
        resolveExit({ code: null, signal: null });
      });
      child!.once('exit', (exitCode, exitSignal) => resolveExit({ code: exitCode, signal: exitSignal }));
    });
    child = undefined;
    state.exitCode = code;
    state.signal = signal;
    state.results[index] = parseResult(readFileSync(jobFiles(jobDir).stdout(index), 'utf8'));
    if (code !== 0) break;
  }
  state.status = state.cancelRequested ? 'cancelled' : state.exitCode === 0 ? 'succeeded' : 'failed';
  state.endedAt = new Date().toISOString();
  state.childPid = undefined;
  await writeJobState(jobDir, state);
}

function parseResult(stdout: string): unknown {
  const text = stdout.trim();
  if (text.length === 0) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { stdout: text.slice(-4000) };
  }
}

function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", "'\\''")}'`;
}

const jobDir = process.argv[2];
if (!jobDir) {
  process.stderr.write('usage: job-runner.js JOB_DIR\n');
  process.exitCode = 2;
} else {
  main(jobDir).catch(async (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    appendFileSync(jobFiles(jobDir).log, `error: ${message}\n`);
    await writeJobState(jobDir, { status: 'failed', step: 0, error: message, endedAt: new Date().toISOString(), results: [] });
    process.exitCode = 1;
  });
}
