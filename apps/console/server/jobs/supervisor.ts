/**
 * Supervises console jobs: starts each as a detached job runner (so a job
 * outlives a console restart), polls the state files of active jobs, turns
 * changes into job events, cancels with SIGTERM then SIGKILL, and records every
 * job in the registry (kind `job`) with its status. A new supervisor adopts the
 * jobs on disk: active ones whose runner is alive are watched again, the others
 * are marked `lost`.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeJsonAtomic, type ChainlmHome, type Registry } from '@chainlm/core';
import { consoleErrors } from '../app/errors.js';
import type { JobSpec } from './job-spec.js';
import { planJob } from './job-steps.js';
import { activeStatuses, jobFiles, listJobDirs, processAlive, readJobState, readJobView, writeJobState, type JobRecord, type JobView } from './job-store.js';
import { recordJobEnd, recordJobStart } from './job-registry.js';

export type JobListener = (job: JobView) => void;

export interface SupervisorOptions {
  home: ChainlmHome;
  registry: Registry;
  killGraceMs: number;
  pollMs: number;
  env: Record<string, string>;
  /** Folders besides the home that a job spec may name as input (see job-steps' confine). */
  allowedDirs?: readonly string[];
  /** The built job-runner.js; default: beside this module in dist/, or apps/console/dist when run from sources. */
  runnerScript?: string;
}

export function defaultRunnerScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(join('dist', 'server')) ? join(here, 'job-runner.js') : join(here, '../../dist/server/jobs/job-runner.js');
}

export class JobSupervisor {
  private readonly listeners = new Set<JobListener>();
  /** Last seen state of each watched job, as JSON, to emit only changes. */
  private readonly watched = new Map<string, string>();
  private readonly timer: NodeJS.Timeout;
  private readonly jobsRoot: string;
  private polling = false;

  constructor(private readonly options: SupervisorOptions) {
    this.jobsRoot = options.home.path('jobs');
    mkdirSync(this.jobsRoot, { recursive: true });
    for (const dir of listJobDirs(this.jobsRoot)) {
      const view = readJobView(dir);
      if (view && activeStatuses.includes(view.status)) this.watched.set(view.id, '');
    }
    this.timer = setInterval(() => void this.poll(), options.pollMs);
    this.timer.unref();
  }

  on(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async start(spec: JobSpec): Promise<JobView> {
    const id = `${spec.kind}-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(2).toString('hex')}`;
    const dir = join(this.jobsRoot, id);
    mkdirSync(dir, { recursive: true });
    let plan;
    try {
      plan = await planJob(spec, { home: this.options.home, jobDir: dir, jobId: id, inputRoots: [this.options.home.root, ...(this.options.allowedDirs ?? [])] });
    } catch (error) {
      rmSync(dir, { recursive: true, force: true }); // a refused spec leaves no job behind
      throw error;
    }
    const record: JobRecord = { id, kind: spec.kind, spec, steps: plan.steps, outputs: plan.outputs, createdAt: new Date().toISOString() };
    await writeJsonAtomic(jobFiles(dir).job, record);
    const runnerLog = openSync(jobFiles(dir).runnerLog, 'a');
    const runner = spawn(process.execPath, [this.options.runnerScript ?? defaultRunnerScript(), dir], {
      detached: true,
      stdio: ['ignore', runnerLog, runnerLog],
      env: { ...process.env, ...this.options.env, CHAINLM_HOME: this.options.home.root },
    });
    closeSync(runnerLog);
    runner.unref();
    record.runnerPid = runner.pid;
    await writeJsonAtomic(jobFiles(dir).job, record);
    this.watched.set(id, '');
    const view = this.get(id);
    await recordJobStart(this.options.registry, view);
    this.emit(view);
    return view;
  }

  list(): JobView[] {
    return listJobDirs(this.jobsRoot)
      .map((dir) => this.refresh(dir))
      .filter((view): view is JobView => view !== undefined)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  get(id: string): JobView {
    const view = /^[\w.-]+$/.test(id) ? this.refresh(join(this.jobsRoot, id)) : undefined;
    if (!view) throw consoleErrors.notFound(`job "${id}"`, 'the Jobs list shows the jobs of this CHAINLM_HOME');
    return view;
  }

  jobDir(id: string): string {
    return join(this.jobsRoot, this.get(id).id);
  }

  /** SIGTERM to the runner (which forwards it to the step); SIGKILL to both after the grace period. */
  async cancel(id: string): Promise<JobView> {
    const view = this.get(id);
    if (!activeStatuses.includes(view.status)) throw consoleErrors.conflict(`job "${id}" is not running (status ${view.status})`, 'only starting or running jobs can be cancelled');
    const dir = this.jobDir(id);
    signal(view.runnerPid, 'SIGTERM');
    const killer = setTimeout(() => {
      const state = readJobState(dir);
      if (!activeStatuses.includes(state.status)) return;
      signal(state.childPid, 'SIGKILL');
      setTimeout(() => {
        if (!activeStatuses.includes(readJobState(dir).status)) return;
        signal(view.runnerPid, 'SIGKILL');
        void writeJobState(dir, { ...readJobState(dir), status: 'cancelled', signal: 'SIGKILL', endedAt: new Date().toISOString() });
      }, 1000).unref();
    }, this.options.killGraceMs);
    killer.unref();
    return this.get(id);
  }

  close(): void {
    clearInterval(this.timer);
    this.listeners.clear();
  }

  /** Reads a job, marking it lost when it claims to run but its runner is gone. */
  private refresh(dir: string): JobView | undefined {
    const view = readJobView(dir);
    if (!view || !activeStatuses.includes(view.status)) return view;
    const started = view.runnerPid !== undefined;
    const age = Date.now() - Date.parse(view.createdAt);
    if ((started || age > 10_000) && !processAlive(view.runnerPid, dir)) {
      const state = readJobState(dir); // re-read: the runner may have finished in between
      if (!activeStatuses.includes(state.status)) return readJobView(dir);
      const lost = { ...state, status: 'lost' as const, error: 'the job runner is gone without recording an exit status', endedAt: new Date().toISOString() };
      void writeJobState(dir, lost);
      return { ...view, ...lost };
    }
    return view;
  }

  private async poll(): Promise<void> {
    if (this.polling) return; // a registry write can outlast one period
    this.polling = true;
    try {
      await this.pollOnce();
    } finally {
      this.polling = false;
    }
  }

  /** Brings the registry up to date with jobs that ended while no console watched them. */
  async reconcile(): Promise<void> {
    const recorded = new Map((await this.options.registry.list({ kind: 'job' })).map((artifact) => [artifact.name, artifact.metadata.status]));
    for (const view of this.list()) {
      if (activeStatuses.includes(view.status) || recorded.get(view.id) === view.status) continue;
      await recordJobEnd(this.options.registry, view);
    }
  }

  private async pollOnce(): Promise<void> {
    for (const [id, last] of this.watched) {
      const view = this.refresh(join(this.jobsRoot, id));
      if (!view) continue;
      const { logBytes: _logBytes, ...stateOnly } = view;
      const now = JSON.stringify(stateOnly);
      if (now === last) continue;
      this.watched.set(id, now);
      this.emit(view);
      if (!activeStatuses.includes(view.status)) {
        this.watched.delete(id);
        await recordJobEnd(this.options.registry, view).catch(() => undefined);
      }
    }
  }

  private emit(view: JobView): void {
    for (const listener of this.listeners) listener(view);
  }
}

function signal(pid: number | undefined, name: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, name);
  } catch {
    // already gone
  }
}
