/**
 * The queue runner against a real Redis with real `chainlm-eval worker` child
 * processes (built CLI from dist/): the same summary, predictions and results
 * as the local runner; a worker SIGKILLed mid-task whose task another worker
 * finishes; a task failing on every try reported with its error while the rest
 * complete; a coordinator SIGKILLed and restarted that resumes without
 * inferring any item twice; Redis unreachable → the URL in a clear error.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Registry, skipUnlessPresent } from '@chainlm/core';
import { listOpenRuns, readQueueStatus } from '@chainlm/queue';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixtureConfig, writeFixtureData } from '../__tests__/fixtures.js';
import { startTestServer, type TestServer } from '../__tests__/openai-test-server.js';
import { cli, needsBuild, needsRedis, redisUrl, spawnCli, startWorker, type Spawned } from '../__tests__/queue-helpers.js';
import { buildRunConfig, type RunConfigInput } from '../config/run-config.js';
import { EvalError } from '../errors.js';
import { runEval } from '../run/run-eval.js';

const root = mkdtempSync(join(tmpdir(), 'eval-queue-'));
const env = { CHAINLM_HOME: join(root, 'home') };
const unique = `q${process.pid}x${Date.now().toString(36)}`;
const noBuild = skipUnlessPresent(cli, needsBuild);
const skipped = noBuild || skipUnlessPresent(Boolean(redisUrl), needsRedis);
const fastWorker = ['--lock-duration', '1000', '--stalled-interval', '500'];

function files(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return out;
}

describe.skipIf(skipped)('queue runner (Redis + worker processes)', () => {
  let server: TestServer;
  const workers: Spawned[] = [];
  beforeAll(async () => {
    server = await startTestServer();
    writeFixtureData(join(root, 'data'));
  });
  // each test starts its own workers; those of a failed test must not take the next one's tasks
  beforeEach(() => Promise.all(workers.splice(0).map((worker) => worker.stop())).then(() => undefined));
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await server.close();
  });
  const queueRunner = { type: 'queue' as const, redis: redisUrl, attempts: 2 };

  it('gives the local run’s summary, predictions and results with two workers', async () => {
    const base: RunConfigInput = { ...fixtureConfig(join(root, 'data'), server.url, ''), name: `${unique}-same`, limit: 20 };
    const registry = new Registry({ file: join(root, 'registry.duckdb') });
    const local = await runEval(buildRunConfig({ ...base, outputDir: join(root, 'local'), runner: { concurrency: 2, saveEvery: 4, shardSize: 6 } }), { registry });
    const pair = [startWorker(env), startWorker(env)];
    workers.push(...pair);
    await Promise.all(pair.map((worker) => worker.waitFor(/ready/)));
    const localEntry = await registry.get(local.registryIds[0]);
    const queued = await runEval(buildRunConfig({ ...base, outputDir: join(root, 'queued'), runner: { concurrency: 2, saveEvery: 4, shardSize: 6, ...queueRunner } }), { registry });
    // the same registry entry (id, rows), now pointing at the queued run's folder
    expect(queued.registryIds).toEqual(local.registryIds);
    const queuedEntry = await registry.get(queued.registryIds[0]);
    expect(queuedEntry?.metadata).toEqual(localEntry?.metadata);
    expect(queuedEntry?.path).toBe(queued.runDir);
    expect(queued.run).toBe(local.run);
    expect(queued.rows).toEqual(local.rows);
    expect(queued.inferredItems).toBe(local.inferredItems);
    const [a, b] = [files(local.runDir), files(queued.runDir)];
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const name of Object.keys(a).filter((file) => !file.endsWith('summary.json') && file !== 'config.json')) expect(b[name], name).toBe(a[name]);
    // every inference shard (one predictions file each) and the 3 evaluations, shared by both workers
    const shards = Object.keys(a).filter((name) => name.startsWith('predictions')).length;
    expect(shards).toBeGreaterThan(3);
    const taken = pair.map((worker) => (worker.output().match(/took /g) ?? []).length);
    expect(taken[0] + taken[1]).toBe(shards + 3);
    expect(taken.every((count) => count > 0)).toBe(true);
    expect((await readQueueStatus(redisUrl!, local.run)).state).toBe('done');
    await Promise.all(pair.map((worker) => worker.stop()));
  });

  it('hands a SIGKILLed worker’s task to another worker and ends with the same scores', async () => {
    const slow = await startTestServer({ delayMs: 40 });
    try {
      const base: RunConfigInput = { ...fixtureConfig(join(root, 'data'), slow.url, ''), name: `${unique}-kill`, presets: ['arithmetic'], datasets: [], limit: 24 };
      base.models = [{ ...base.models![0], concurrency: 1 }];
      const reference = await runEval(buildRunConfig({ ...base, outputDir: join(root, 'kill-local') }));
      const first = startWorker(env, fastWorker);
      workers.push(first);
      await first.waitFor(/ready/);
      const run = runEval(buildRunConfig({ ...base, outputDir: join(root, 'kill-queued'), runner: { concurrency: 1, saveEvery: 4, shardSize: 500, ...queueRunner } }));
      await first.waitFor(/took infer\//);
      await new Promise((resolveWait) => setTimeout(resolveWait, 300));
      first.child.kill('SIGKILL');
      await first.exited;
      const second = startWorker(env, fastWorker);
      workers.push(second);
      const outcome = await run;
      expect(second.output()).toMatch(/took infer\/toy\/arithmetic of/);
      expect(outcome.rows).toEqual(reference.rows);
      await second.stop();
    } finally {
      await slow.close();
    }
  });

  it('reports a task that fails on every try with its error, and the rest complete', async () => {
    const broken = await startTestServer({ every500: 1 });
    try {
      const base: RunConfigInput = { ...fixtureConfig(join(root, 'data'), server.url, join(root, 'failing')), name: `${unique}-fail`, presets: ['arithmetic'], datasets: [], limit: 8 };
      base.models = [base.models![0], { type: 'openai', abbr: 'broken', baseUrl: broken.url, model: 'toy', maxRetries: 0, retryBaseMs: 1 }];
      const worker = startWorker(env);
      workers.push(worker);
      await worker.waitFor(/ready/);
      const config = buildRunConfig({ ...base, runner: { concurrency: 2, saveEvery: 4, shardSize: 500, ...queueRunner } });
      const error = await runEval(config).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(EvalError);
      expect((error as EvalError).message).toMatch(/1 task\(s\) failed[\s\S]*broken\/arithmetic: POST .*\/completions.*HTTP 500[\s\S]*\(task tried 2 times\)/);
      const summary = JSON.parse(readFileSync(join(root, 'failing', `${base.name}_${(error as EvalError).message.match(/run \S+?_([0-9a-f]{10})/)![1]}`, 'summary', 'summary.json'), 'utf8'));
      expect(summary.rows.map((row: { model: string; dataset: string }) => `${row.model}/${row.dataset}`)).toEqual(['toy/arithmetic']);
      const status = await readQueueStatus(redisUrl!, summary.run);
      expect(status.state).toBe('failed');
      expect(status.tasks.find((task) => task.id === 'infer/broken/arithmetic')).toMatchObject({ state: 'failed', attemptsMade: 2 });
      const cli = spawnCli(['queue-status', summary.run, '--redis', redisUrl!], env);
      expect(await cli.exited).toBe(0);
      expect(cli.output()).toMatch(/infer\/broken\/arithmetic\s+failed\s+tries 2/);
      await worker.stop();
    } finally {
      await broken.close();
    }
  });

  it('resumes after the coordinator is SIGKILLed and restarted, inferring no item twice', async () => {
    const slow = await startTestServer({ delayMs: 30 });
    try {
      const base: RunConfigInput = { ...fixtureConfig(join(root, 'data'), slow.url, join(root, 'restart')), name: `${unique}-restart`, presets: ['arithmetic'], datasets: [], limit: 48 };
      base.models = [{ ...base.models![0], concurrency: 1 }];
      const config = { ...base, runner: { concurrency: 1, saveEvery: 4, shardSize: 8, ...queueRunner } };
      const file = join(root, 'restart.json');
      writeFileSync(file, JSON.stringify(config));
      const worker = startWorker(env);
      workers.push(worker);
      await worker.waitFor(/ready/);
      const coordinator = spawnCli(['run', file, '--json'], env);
      await worker.waitFor(/done infer[\s\S]*done infer/);
      coordinator.child.kill('SIGKILL');
      await coordinator.exited;
      const restarted = spawnCli(['run', file, '--json'], env);
      expect(await restarted.exited).toBe(0);
      const outcome = JSON.parse(restarted.output().slice(restarted.output().indexOf('{')));
      const reference = await runEval(buildRunConfig({ ...base, outputDir: join(root, 'restart-local') }));
      expect(outcome.rows).toEqual(reference.rows);
      // the queued run and the reference each sent every item exactly once
      expect(slow.counts.byPath['/v1/completions']).toBe(2 * 48);
      await worker.stop();
    } finally {
      await slow.close();
    }
  });
});

describe.skipIf(skipped)('queue runner guards', () => {
  it('a worker reloads a dataset whose files changed, and refuses a task whose rows differ from the coordinator’s', async () => {
    const server = await startTestServer();
    const dataDir = join(root, 'drift');
    writeFixtureData(dataDir);
    const file = join(dataDir, 'mcq-test.jsonl');
    const base: RunConfigInput = { ...fixtureConfig(dataDir, server.url, join(root, 'drift-runs')), presets: [], limit: 5 };
    base.datasets = [base.datasets![0]]; // mcq, read from mcq-test.jsonl
    const config = (name: string) => buildRunConfig({ ...base, name: `${unique}-${name}`, runner: { concurrency: 1, saveEvery: 4, shardSize: 500, type: 'queue', redis: redisUrl, attempts: 3 } });
    let worker = startWorker(env);
    try {
      await worker.waitFor(/ready/);
      await runEval(config('drift-a')); // the worker now holds the rows
      writeFileSync(file, readFileSync(file, 'utf8').replace('Which is a fruit?', 'Which is a vegetable?'));
      const changed = await runEval(config('drift-b'));
      expect(changed.rows[0].dataset).toBe('mcq');
      await worker.stop();

      // the coordinator loads the rows and queues the task; then the file changes before a worker loads it
      const run = runEval(config('drift-c'));
      for (let tries = 0; tries < 200 && !(await listOpenRuns(redisUrl!)).some((open) => open.startsWith(`${unique}-drift-c_`)); tries++) {
        await new Promise((resolveWait) => setTimeout(resolveWait, 50));
      }
      writeFileSync(file, readFileSync(file, 'utf8').replace('Which is a color?', 'Which is a shape?'));
      worker = startWorker(env);
      const error = await run.catch((caught: unknown) => caught);
      expect((error as Error).message).toMatch(/toy\/mcq: dataset mcq as loaded on this worker differs from the coordinator's .* \(task tried 1 time\)/);
    } finally {
      await worker.stop();
      await server.close();
    }
  });

  it('run --runner refuses anything but local or queue', async () => {
    const bad = spawnCli(['run', '--model', 'http://127.0.0.1:9/v1', '--model-name', 'toy', '--datasets', 'arithmetic', '--runner', 'slurm'], env);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toMatch(/--runner must be local or queue, got "slurm"/);
  });
});

describe.skipIf(noBuild)('queue runner without Redis', () => {
  it('worker and run fail within seconds naming the URL', async () => {
    const started = Date.now();
    const worker = spawnCli(['worker', '--redis', 'redis://127.0.0.1:1'], env);
    const run = spawnCli(['run', '--model', 'http://127.0.0.1:9/v1', '--model-name', 'toy', '--datasets', 'arithmetic', '--runner', 'queue', '--redis', 'redis://127.0.0.1:1', '--no-registry', '--output-dir', join(root, 'no-redis')], env);
    expect(await worker.exited).toBe(1);
    expect(await run.exited).toBe(1);
    // each exits on its own 5 s connect timeout; the bound leaves room for two Node start-ups on a busy machine
    expect(Date.now() - started).toBeLessThan(30_000);
    for (const spawned of [worker, run]) expect(spawned.output()).toMatch(/error: cannot reach Redis at redis:\/\/127\.0\.0\.1:1[\s\S]*hint: .*--redis/);
  });
});

describe('queue runner secrets', () => {
  it('keeps a Redis password out of the run folder and the error', async () => {
    const server = await startTestServer();
    try {
      const outputDir = join(root, 'secret');
      const config = buildRunConfig({ ...fixtureConfig(join(root, 'data'), server.url, outputDir), name: `${unique}-secret`, presets: ['arithmetic'], datasets: [], limit: 2, runner: { type: 'queue', redis: 'redis://:hunter2@127.0.0.1:1' } });
      const error = await runEval(config).catch((caught: unknown) => caught);
      expect((error as Error).message).toMatch(/cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
      const written = readFileSync(join(outputDir, readdirSync(outputDir)[0], 'config.json'), 'utf8');
      expect(written).toContain('redis://:***@127.0.0.1:1');
      expect(written).not.toContain('hunter2');
    } finally {
      await server.close();
    }
  });
});
