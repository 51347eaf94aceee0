import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus, Registry, type ChainlmEvent } from '@chainlm/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureConfig, writeFixtureData } from '../__tests__/fixtures.js';
import { startTestServer, type TestServer } from '../__tests__/openai-test-server.js';
import { buildRunConfig, type RunConfigInput } from '../config/run-config.js';
import { OpenAICompatibleModel } from '../models/openai-compatible-model.js';
import type { EvalModel } from '../models/eval-model.js';
import { listRuns, readRunSummary } from './run-layout.js';
import { runEval } from './run-eval.js';

let server: TestServer;
const root = mkdtempSync(join(tmpdir(), 'eval-run-'));
const dataDir = join(root, 'data');

beforeAll(async () => {
  server = await startTestServer();
  writeFixtureData(dataDir);
});
afterAll(() => server.close());

const config = (outputDir: string, patch: Partial<RunConfigInput> = {}) => buildRunConfig({ ...fixtureConfig(dataDir, server.url, outputDir), ...patch });

describe('runEval', () => {
  it('runs models × datasets and writes predictions, results and summary tables', async () => {
    const outputDir = join(root, 'full');
    const events: ChainlmEvent[] = [];
    const bus = new EventBus();
    bus.on((event) => events.push(event));
    const outcome = await runEval(config(outputDir, { limit: 20 }), { events: bus });
    expect(outcome.run).toMatch(/^fixture_[0-9a-f]{10}$/);
    const byDataset = Object.fromEntries(outcome.rows.map((row) => [`${row.dataset}:${row.metric}`, row]));
    // toy server: a+b answers are wrong exactly when a+b ≡ 0 (mod 7)
    const { generateArithmetic } = await import('../datasets/generated-loaders.js');
    const test = generateArithmetic({ seed: 0, trainSize: 1000, testSize: 100, maxOperand: 99, operations: ['+', '-'] }).test.slice(0, 20);
    const right = test.filter((row) => { const [a, b] = String(row.question).split(/[+-]/).map((part) => Number.parseInt(part, 10)); return (a + b) % 7 !== 0; }).length;
    expect(byDataset['arithmetic:accuracy']).toMatchObject({ model: 'toy', mode: 'gen', score: (100 * right) / 20 });
    expect(byDataset['mcq:accuracy'].mode).toBe('ppl');
    expect(byDataset['corpus:perplexity'].score).toBeGreaterThan(1);
    expect(byDataset['corpus:bits_per_byte'].score).toBeGreaterThan(0);
    const files = (folder: string) => readdirSync(join(outcome.runDir, folder, 'toy')).sort();
    expect(files('predictions')).toEqual(['arithmetic.json', 'corpus.json', 'mcq.json']);
    expect(files('results')).toEqual(['arithmetic.json', 'corpus.json', 'mcq.json']);
    const result = JSON.parse(readFileSync(join(outcome.runDir, 'results', 'toy', 'mcq.json'), 'utf8'));
    expect(result.details).toHaveLength(5);
    expect(result.details[0]).toHaveProperty('correct');
    const markdown = readFileSync(join(outcome.runDir, 'summary', 'summary.md'), 'utf8');
    expect(markdown).toMatch(/\| dataset\s+\| promptHash\s+\| metric\s+\| mode \| toy/);
    expect(readFileSync(join(outcome.runDir, 'summary', 'summary.csv'), 'utf8').split('\n')[0]).toBe('dataset,promptHash,metric,mode,toy');
    expect(events.filter((event) => event.type === 'task-done').length).toBe(6);
    expect(listRuns(outputDir).map((run) => run.run)).toEqual([outcome.run]);
    // the mcq prompt carries the bm25-retrieved example before the question
    const predictions = JSON.parse(readFileSync(join(outcome.runDir, 'predictions', 'toy', 'mcq.json'), 'utf8'));
    expect(predictions.records[0].prompt).toBe('Example: Which is a fruit?\nAnswer: B\n\nWhich is a fruit?\nAnswer:');
  });

  it('resumes from saved predictions after a crash and ends with the same scores', async () => {
    const clean = await runEval(config(join(root, 'clean')));
    let calls = 0;
    const crashing = async (model: Record<string, unknown>): Promise<EvalModel> => {
      const real = new OpenAICompatibleModel({ ...(model as never), name: 'toy' });
      return {
        name: real.name,
        identity: real.identity,
        loglikelihood: (requests) => real.loglikelihood(requests),
        generate: async (requests) => {
          if (++calls > 3) throw new Error('simulated crash');
          return real.generate(requests);
        },
      };
    };
    const outputDir = join(root, 'crash');
    await expect(runEval(config(outputDir), { modelFactory: crashing })).rejects.toThrow(/1 task\(s\) failed.*\n.*simulated crash/);
    const before = server.counts.requests;
    const resumed = await runEval(config(outputDir));
    expect(resumed.run).toBe(clean.run);
    const corpusSize = JSON.parse(readFileSync(join(clean.runDir, 'results', 'toy', 'corpus.json'), 'utf8')).details.length;
    expect(corpusSize).toBeGreaterThan(3);
    // arithmetic: 3 batches of 8 were saved before the crash; mcq (5) and corpus finished
    expect(resumed.resumedItems).toBe(24 + 5 + corpusSize);
    expect(resumed.inferredItems).toBe(100 - 24);
    expect(server.counts.requests - before).toBe(100 - 24);
    expect(resumed.rows).toEqual(clean.rows);
  });

  it('shards large datasets and gets the same scores', async () => {
    const whole = await runEval(config(join(root, 'whole'), { limit: 30 }));
    const sharded = await runEval(config(join(root, 'sharded'), { limit: 30, runner: { concurrency: 3, saveEvery: 4, shardSize: 7 } }));
    expect(sharded.run).not.toBe(whole.run);
    expect(readdirSync(join(sharded.runDir, 'predictions', 'toy')).filter((name) => name.startsWith('arithmetic_'))).toHaveLength(5);
    expect(sharded.rows).toEqual(whole.rows);
  });

  it('names a changed prompt as a new run with a new prompt hash', async () => {
    const base = fixtureConfig(dataDir, server.url, join(root, 'prompt'));
    const changed = structuredClone(base);
    (changed.datasets![0].infer as { promptTemplate: { template: string } }).promptTemplate.template = 'Q: {question}\nAnswer:';
    const a = await runEval(buildRunConfig({ ...base, presets: [], datasets: [base.datasets![0]] }));
    const b = await runEval(buildRunConfig({ ...changed, presets: [], datasets: [changed.datasets![0]] }));
    expect(a.run).not.toBe(b.run);
    expect(a.rows[0].promptHash).not.toBe(b.rows[0].promptHash);
  });

  it('records each model result in the registry with a lineage edge from the model', async () => {
    const registry = new Registry({ file: join(root, 'registry.duckdb') });
    const outcome = await runEval(config(join(root, 'registry'), { limit: 5, registry: true }), { registry });
    expect(outcome.registryIds).toEqual([`eval:${outcome.run}/toy`]);
    const lineage = await registry.lineage(`eval:${outcome.run}/toy`);
    expect(lineage!.up.map((entry) => entry.artifact.id)).toEqual(['model:toy']);
    expect(lineage!.artifact.metadata.rows).toEqual(outcome.rows);
    expect(lineage!.edges).toEqual([{ from: 'model:toy', to: `eval:${outcome.run}/toy`, relation: 'evaluated' }]);
    expect(readRunSummary(outcome.runDir).run).toBe(outcome.run);
  });

  it('fails with the dataset and split named when the reader points at a missing split', async () => {
    const base = fixtureConfig(dataDir, server.url, join(root, 'bad'));
    const dataset = structuredClone(base.datasets![0]) as { reader: { testSplit?: string } };
    dataset.reader.testSplit = 'validation';
    await expect(runEval(buildRunConfig({ ...base, presets: [], datasets: [dataset as never] }))).rejects.toThrow('dataset mcq: reader.testSplit "validation" is not a split of the loaded data (splits: train, test)');
  });
});
