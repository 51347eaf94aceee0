import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ChainlmHome } from '@chainlm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleApp, type ConsoleApp } from '../app/create-app.js';
import { makeFixtureHome } from './test-fixtures.js';

const token = 'api-test-token-0123456789';

describe('console API (in-process)', () => {
  let home: ChainlmHome;
  let consoleApp: ConsoleApp;
  const get = (url: string) => consoleApp.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
  const post = (url: string, payload: unknown) => consoleApp.app.inject({ method: 'POST', url, payload: payload as object, headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    home = await makeFixtureHome();
    const webRoot = join(home.root, 'web');
    mkdirSync(webRoot);
    writeFileSync(join(webRoot, 'index.html'), '<!doctype html><div id="root"></div>');
    consoleApp = await createConsoleApp({ home: home.root, token, webRoot });
  });
  afterAll(async () => {
    await consoleApp.close();
    rmSync(home.root, { recursive: true, force: true });
  });

  it('lists datasets with counts, stats, paged rows and the quarantine', async () => {
    const list = (await get('/api/datasets')).json();
    expect(list.datasets).toMatchObject([{ name: 'notes', kind: 'text', counts: { read: 31, records: 30, quarantined: 1 }, hasCleanReport: false }]);
    const stats = (await get('/api/datasets/notes/stats')).json().stats;
    expect(stats.records).toBe(30);
    expect(stats.scriptMix.latin).toBe(30);
    expect(stats.lengthHistogram.reduce((sum: number, bucket: { records: number }) => sum + bucket.records, 0)).toBe(30);
    const page = (await get('/api/datasets/notes/rows?offset=10&limit=5')).json();
    expect(page.total).toBe(30);
    expect(page.rows.map((row: { text: string }) => row.text)).toEqual([10, 11, 12, 13, 14].map((index) => `record number ${index} says hello`));
    const quarantine = (await get('/api/datasets/notes/quarantine')).json();
    expect(quarantine.rows).toMatchObject([{ line: 31 }]);
    expect((await get('/api/datasets/notes/report')).json()).toEqual({ report: null });
  });

  it('names the bad field or the missing dataset', async () => {
    const bad = await get('/api/datasets/notes/rows?limit=100000');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/^query\.limit: /);
    const unknownKey = await get('/api/datasets/notes/rows?page=2');
    expect(unknownKey.statusCode).toBe(400);
    const missing = await get('/api/datasets/nope/stats');
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.hint).toContain('ingest');
  });

  it('runs read-only SQL and refuses writes', async () => {
    const ok = (await post('/api/sql', { sql: "SELECT count(*) AS n FROM notes WHERE text LIKE '%hello%';" })).json();
    expect(ok.columns).toEqual(['n']);
    expect(Number(ok.rows[0].n)).toBe(30);
    const capped = (await post('/api/sql', { sql: 'SELECT * FROM notes', maxRows: 7 })).json();
    expect(capped.rows).toHaveLength(7);
    expect(capped.truncated).toBe(true);
    const write = await post('/api/sql', { sql: 'DELETE FROM notes' });
    expect(write.statusCode).toBe(400);
    expect(write.json().error.code).toBe('sql-read-only');
    const broken = await post('/api/sql', { sql: 'SELECT * FROM no_such_view' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.code).toBe('sql-failed');
  });

  it('lists runs with their last step and serves their metrics', async () => {
    const runs = (await get('/api/runs')).json().runs;
    expect(runs).toMatchObject([
      { run: 'run-b', status: 'running', lastStep: { step: 3, loss: 2 } },
      { run: 'run-a', status: 'finished', lastStep: { step: 5, loss: 3.5 }, checkpoints: 0, exported: false },
    ]);
    const detail = (await get('/api/runs/run-a')).json();
    expect(detail.info.datasetId).toBe('dataset:notes');
    expect(detail.checkpoints).toEqual([]);
    expect((await get('/api/runs/run-a/metrics')).json().metrics).toHaveLength(6);
    expect((await get('/api/runs/missing-run')).statusCode).toBe(404);
    expect((await get('/api/runs/..%2Fetc')).statusCode).toBe(400);
    expect(Object.keys((await get('/api/presets')).json().presets)).toEqual(['tiny', 'small']);
  });

  it('builds the leaderboard and drills into samples with prompts', async () => {
    const board = (await get('/api/evals/leaderboard')).json();
    expect(board.datasets).toEqual(['arithmetic']);
    expect(board.models).toEqual(['tiny-a', 'tiny-b']);
    expect(board.cells.map((cell: { model: string; score: number }) => [cell.model, cell.score])).toEqual([['tiny-a', 50], ['tiny-b', 75]]);
    const wrong = (await get('/api/evals/after_2/samples?model=tiny-b&dataset=arithmetic&filter=wrong')).json();
    expect(wrong.total).toBe(1);
    expect(wrong.samples).toEqual([{ index: 3, prompt: '3+3=', prediction: '?', reference: '6', correct: false, score: null }]);
    expect((await get('/api/evals/after_2/samples?model=nobody&dataset=arithmetic')).statusCode).toBe(404);
    expect((await get('/api/evals/no_such_run')).statusCode).toBe(404);
  });

  it('serves the registry and the lineage of an artifact', async () => {
    const kinds = (await get('/api/artifacts')).json().artifacts.map((artifact: { id: string }) => artifact.id);
    expect(kinds).toEqual(expect.arrayContaining(['dataset:notes', 'run:run-a', 'model:run-a']));
    expect((await get('/api/artifacts?kind=model')).json().artifacts).toHaveLength(1);
    expect((await get('/api/artifacts?kind=banana')).statusCode).toBe(400);
    const lineage = (await get('/api/artifacts/model:run-a/lineage')).json();
    expect(lineage.up.map((entry: { artifact: { id: string }; depth: number }) => [entry.artifact.id, entry.depth])).toEqual([['run:run-a', 1], ['dataset:notes', 2]]);
    expect(lineage.edges).toContainEqual({ from: 'dataset:notes', to: 'run:run-a', relation: 'trained-on' });
    expect((await get('/api/artifacts/model:nope/lineage')).statusCode).toBe(404);
  });

  it('rejects bad job specs naming the field', async () => {
    const noKind = await post('/api/jobs', { kind: 'bake' });
    expect(noKind.statusCode).toBe(400);
    expect(noKind.json().error.message).toMatch(/^kind: expected one of ingest, clean, train/);
    const both = await post('/api/jobs', { kind: 'train', preset: 'tiny', yaml: 'maxSteps: 1', data: 'x' });
    expect(both.json().error.message).toBe('preset: give exactly one of preset or yaml');
    const badName = await post('/api/jobs', { kind: 'ingest', dataset: '../etc', paths: ['a'] });
    expect(badName.json().error.message).toMatch(/^dataset: use letters, digits/);
    const extra = await post('/api/jobs', { kind: 'serve', model: '/m', tensorParallel: 2 });
    expect(extra.statusCode).toBe(400);
    const tooMany = await post('/api/jobs', { kind: 'serve', model: '/m', replicas: 10_000 });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.message).toMatch(/^replicas: at most \d+ replicas/);
    expect((await get('/api/jobs/nope')).statusCode).toBe(404);
    expect((await get('/api/deployments')).json()).toEqual({ deployments: [] });
    expect((await get('/api/serve-options')).json()).toEqual({ maxReplicas: availableParallelism(), quantSchemes: ['w8a16', 'w4a16'] });
  });

  it('serves index.html for page routes and JSON 404s for unknown API routes', async () => {
    const page = await get('/training');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('id="root"');
    const api = await get('/api/nothing');
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe('console-not-found');
  });
});
