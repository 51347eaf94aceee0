/**
 * Jobs through the real package CLIs (built dist/), supervised by the console's
 * detached job runner: success, failure, cancel, adoption by a new supervisor
 * (a console restart), and a runner that died without an exit status.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openRegistry, resolveHome, skipUnlessPresent, type ChainlmHome, type Registry } from '@chainlm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRoot } from '../app/options.js';
import { buildConsoleForTests } from './build-for-tests.js';
import { processAlive, readJobState, readLog, type JobView } from './job-store.js';
import { JobSupervisor } from './supervisor.js';

const repo = resolve(consoleRoot, '../..');
const builtClis = [join(repo, 'packages/data/dist/bin/chainlm-data.js'), join(repo, 'packages/train/dist/bin/chainlm-train.js')];

async function waitFor(read: () => JobView, accept: (job: JobView) => boolean, timeoutMs = 45_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = read();
    if (accept(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${job.id} stayed ${job.status} (step ${job.step})`);
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}

describe.skipIf(skipUnlessPresent(builtClis, 'the job supervisor runs the package CLIs from dist/: npm run build'))('JobSupervisor', () => {
  let home: ChainlmHome;
  let registry: Registry;
  let corpus: string;
  const supervisors: JobSupervisor[] = [];
  const open = () => {
    const supervisor = new JobSupervisor({ home, registry, killGraceMs: 2000, pollMs: 50, env: {} });
    supervisors.push(supervisor);
    return supervisor;
  };

  beforeAll(() => {
    buildConsoleForTests(); // the runner runs from dist/
    home = resolveHome({ CHAINLM_HOME: mkdtempSync(join(tmpdir(), 'console-jobs-')) });
    registry = openRegistry({ file: home.registryFile });
    corpus = join(home.root, 'corpus.txt');
    writeFileSync(corpus, Array.from({ length: 300 }, (_, index) => `Line ${index}: the cat sat on the mat and looked at the moon.`).join('\n'));
  });
  afterAll(async () => {
    for (const supervisor of supervisors) {
      for (const job of supervisor.list()) if (job.status === 'running') await supervisor.cancel(job.id).catch(() => undefined);
      supervisor.close();
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 500)); // cancelled runners write their last state
    rmSync(home.root, { recursive: true, force: true });
  });

  it('runs an ingest job to success, keeps its log and result, and records it in the registry', async () => {
    const supervisor = open();
    const events: string[] = [];
    supervisor.on((job) => events.push(job.status));
    const started = await supervisor.start({ kind: 'ingest', dataset: 'corpus', paths: [corpus], split: 'line', replace: false });
    expect(started.steps).toEqual([{ cli: 'chainlm-data', args: ['ingest', corpus, '--dataset', 'corpus', '--json', '--split', 'line'], label: 'ingest' }]);
    const done = await waitFor(() => supervisor.get(started.id), (job) => job.status === 'succeeded');
    expect(done.exitCode).toBe(0);
    expect(done.results[0]).toMatchObject({ dataset: 'corpus', read: 300, ok: 300 });
    expect(readLog(supervisor.jobDir(started.id), 0).text).toMatch(/^\$ chainlm-data ingest /);
    const recorded = async () => (await registry.get(`job:${started.id}`))?.metadata;
    for (let tries = 0; tries < 100 && (await recorded())?.status !== 'succeeded'; tries += 1) await new Promise((resolveWait) => setTimeout(resolveWait, 50));
    expect(await recorded()).toMatchObject({ kind: 'ingest', status: 'succeeded', exitCode: 0 });
    expect(events).toContain('succeeded');
  });

  it('reports a failing step with its exit code and error output', async () => {
    const supervisor = open();
    const started = await supervisor.start({ kind: 'ingest', dataset: 'missing', paths: [join(home.root, 'no-such-file.jsonl')], replace: false });
    const done = await waitFor(() => supervisor.get(started.id), (job) => job.status === 'failed');
    expect(done.exitCode).toBe(2);
    expect(readLog(supervisor.jobDir(started.id), 0).text).toContain('no such file');
  });

  it('cancels a training run with SIGTERM; a new supervisor adopts running jobs', async () => {
    const first = open();
    const started = await first.start({ kind: 'train', preset: 'tiny', data: corpus, maxSteps: 100_000, exportModel: false });
    expect(started.outputs.run).toMatch(/^tiny-/);
    const running = await waitFor(() => first.get(started.id), (job) => job.status === 'running' && job.childPid !== undefined);
    first.close(); // the console restarts; the job does not notice
    const second = open();
    expect(second.get(started.id).status).toBe('running');
    const updates: JobView[] = [];
    second.on((job) => updates.push(job));
    await second.cancel(started.id);
    const done = await waitFor(() => second.get(started.id), (job) => job.status === 'cancelled');
    expect(done.endedAt).toBeDefined();
    expect(processAlive(running.childPid)).toBe(false);
    expect(updates.some((job) => job.status === 'cancelled')).toBe(true);
    await expect(second.cancel(started.id)).rejects.toThrow(/is not running \(status cancelled\)/);
  });

  it('marks a job lost when its runner died without an exit status', async () => {
    const supervisor = open();
    const started = await supervisor.start({ kind: 'train', preset: 'tiny', data: corpus, maxSteps: 100_000, exportModel: false });
    const running = await waitFor(() => supervisor.get(started.id), (job) => job.status === 'running' && job.childPid !== undefined);
    process.kill(running.runnerPid!, 'SIGKILL');
    process.kill(running.childPid!, 'SIGKILL');
    await new Promise((resolveWait) => setTimeout(resolveWait, 300));
    const lost = open().get(started.id);
    expect(lost.status).toBe('lost');
    expect(lost.error).toContain('without recording an exit status');
    expect(readJobState(supervisor.jobDir(started.id)).status).toBe('lost');
  });
});
