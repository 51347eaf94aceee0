/** Two eval runs and two training runs compared, in-process with inject() over the fixture home. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChainlmHome } from '@chainlm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleApp, type ConsoleApp } from '../app/create-app.js';
import { makeFixtureHome } from './test-fixtures.js';

const token = 'compare-test-token-0123456789';

describe('comparing two runs', () => {
  let home: ChainlmHome;
  let consoleApp: ConsoleApp;
  const get = async (url: string) => {
    const response = await consoleApp.app.inject({ url, headers: { authorization: `Bearer ${token}` } });
    return { status: response.statusCode, body: response.json() };
  };

  beforeAll(async () => {
    home = await makeFixtureHome(); // before_1 (tiny-a): ✗ ✓ ✗ ✓ · after_2 (tiny-b): ✓ ✓ ✓ ✗
    consoleApp = await createConsoleApp({ home: home.root, token, webRoot: join(home.root, 'no-web') });
  });
  afterAll(async () => {
    await consoleApp.close();
    rmSync(home.root, { recursive: true, force: true });
  });

  it('puts two eval runs side by side per dataset with the delta', async () => {
    const { body } = await get('/api/compare?a=before_1&b=after_2');
    expect(body.acrossModels).toBe(true);
    expect(body.rows).toEqual([{ dataset: 'arithmetic', model: '*', metric: 'accuracy', a: 50, b: 75, delta: 25, promptChanged: false }]);
    expect((await get('/api/compare?a=before_1&b=nope')).status).toBe(404);
  });

  it('diffs the samples of one dataset: A right and B wrong, the reverse, with counts, prompts and both predictions', async () => {
    const { status, body } = await get('/api/compare/samples?a=before_1&b=after_2&dataset=arithmetic');
    expect(status).toBe(200);
    expect(body.a).toEqual({ run: 'before_1', model: 'tiny-a', metric: 'accuracy', score: 50 });
    expect(body.b).toEqual({ run: 'after_2', model: 'tiny-b', metric: 'accuracy', score: 75 });
    expect(body.counts).toEqual({ 'a-wins': 1, 'b-wins': 2, 'both-right': 1, 'both-wrong': 0, tie: 0 });
    expect(body.samples.map((sample: { index: number; outcome: string }) => [sample.index, sample.outcome])).toEqual([[0, 'b-wins'], [1, 'both-right'], [2, 'b-wins'], [3, 'a-wins']]);
    const aWins = (await get('/api/compare/samples?a=before_1&b=after_2&dataset=arithmetic&filter=a-wins')).body;
    expect(aWins.total).toBe(1);
    expect(aWins.samples).toEqual([{ index: 3, outcome: 'a-wins', prompt: '3+3=', promptB: null, reference: '6', predictionA: '6', predictionB: '?', correctA: true, correctB: false, scoreA: null, scoreB: null }]);
    const bWins = (await get('/api/compare/samples?a=before_1&b=after_2&dataset=arithmetic&filter=b-wins&limit=1&offset=1')).body;
    expect([bWins.total, bWins.samples.map((sample: { index: number }) => sample.index)]).toEqual([2, [2]]);
  });

  it('names the field when a dataset is missing, a filter is unknown, or a run has several models', async () => {
    const missing = await get('/api/compare/samples?a=before_1&b=after_2&dataset=gsm8k');
    expect(missing.status).toBe(404);
    expect(missing.body.error.hint).toContain('dataset both runs evaluated');
    const badFilter = await get('/api/compare/samples?a=before_1&b=after_2&dataset=arithmetic&filter=better');
    expect(badFilter.status).toBe(400);
    expect(badFilter.body.error.message).toMatch(/^query\.filter: /);
    const twoModels = join(home.path('evals', 'after_2'), 'results', 'tiny-c');
    mkdirSync(twoModels);
    writeFileSync(join(twoModels, 'arithmetic.json'), JSON.stringify({ metric: 'accuracy', score: 0, details: [] }));
    const ambiguous = await get('/api/compare/samples?a=before_1&b=after_2&dataset=arithmetic');
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body.error.message).toBe('query.modelB: eval run "after_2" has results of several models on "arithmetic": tiny-b, tiny-c');
    expect((await get('/api/compare/samples?a=before_1&b=after_2&dataset=arithmetic&modelB=tiny-b')).body.counts['b-wins']).toBe(2);
    rmSync(twoModels, { recursive: true });
  });

  it('gives two training runs\' loss curves by step and tokens for one chart, with a summary each', async () => {
    const { status, body } = await get('/api/compare/training?a=run-a&b=run-b');
    expect(status).toBe(200);
    expect(body.a.run).toBe('run-a');
    expect(body.a.status).toBe('finished');
    expect(body.a.train.map((point: { step: number; value: number }) => [point.step, point.value])).toEqual([[1, 5.5], [2, 5], [3, 4.5], [4, 4], [5, 3.5]]);
    expect(body.a.validation).toEqual([{ step: 5, tokens: 2560, value: 3.9 }]);
    expect(body.b.train.map((point: { tokens: number }) => point.tokens)).toEqual([1024, 2048, 3072]);
    expect(body.b.summary).toEqual({ steps: 3, tokens: 3072, finalLoss: 2, bestValLoss: null, tokensPerSecond: 2000, elapsed: 3 });
    const missing = await get('/api/compare/training?a=run-a&b=run-z');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain('training run "run-z"');
    expect((await get('/api/compare/training?a=run-a')).body.error.message).toMatch(/^query\.b: /);
  });
});
