/**
 * The chainlm-eval binary, spawned from dist/ against the in-process test
 * server: run (config and --model shortcut), list, show, compare, and a run
 * SIGKILLed mid-way that resumes to the same scores as an uninterrupted run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureConfig, writeFixtureData } from '../__tests__/fixtures.js';
import { startTestServer, type TestServer } from '../__tests__/openai-test-server.js';
import { buildRunConfig } from '../config/run-config.js';
import { runEval } from '../run/run-eval.js';

const packageRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const cli = join(packageRoot, 'dist', 'bin', 'chainlm-eval.js');
const shared = resolve(packageRoot, '../../../shared/datasets');
const root = mkdtempSync(join(tmpdir(), 'eval-cli-'));
const env = { ...process.env, CHAINLM_HOME: join(root, 'home'), NO_COLOR: '1' };
let server: TestServer;

beforeAll(async () => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: build first (npx tsc -b packages/eval, or npm test which builds)`);
  server = await startTestServer();
  writeFixtureData(join(root, 'data'));
});
afterAll(() => server.close());

function start(args: string[]): ChildProcess {
  return spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
}

function exec(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = start(args);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolveRun) => child.on('close', (code) => resolveRun({ code, stdout, stderr })));
}

function writeConfig(name: string, value: unknown): string {
  const file = join(root, name);
  writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

describe('chainlm-eval CLI', () => {
  it('run CONFIG --json prints the summary rows; list, show and compare read the runs back', async () => {
    const outputDir = join(root, 'runs');
    const configA = writeConfig('a.json', { ...fixtureConfig(join(root, 'data'), server.url, outputDir), limit: 10 });
    const configB = writeConfig('b.json', { ...fixtureConfig(join(root, 'data'), server.url, outputDir), limit: 12 });
    const a = await exec(['run', configA, '--json']);
    expect(a.stderr).not.toMatch(/error/);
    expect(a.code).toBe(0);
    const resultA = JSON.parse(a.stdout);
    expect(resultA.rows.map((row: { dataset: string; metric: string }) => `${row.dataset}:${row.metric}`)).toEqual([
      'mcq:accuracy',
      'corpus:perplexity',
      'corpus:bits_per_byte',
      'arithmetic:accuracy',
    ]);
    expect(Object.keys(resultA.rows[0]).sort()).toEqual(['dataset', 'metric', 'mode', 'model', 'promptHash', 'score']);
    const resultB = JSON.parse((await exec(['run', configB, '--json'])).stdout);

    const list = JSON.parse((await exec(['list', '--output-dir', outputDir, '--json'])).stdout);
    expect(list.runs.map((run: { run: string }) => run.run).sort()).toEqual([resultA.run, resultB.run].sort());
    const shown = await exec(['show', resultA.run, '--output-dir', outputDir]);
    expect(shown.stdout).toContain(`run ${resultA.run}`);
    expect(shown.stdout).toMatch(/\| arithmetic\s+\| [0-9a-f]{12} \| accuracy/);
    const compared = JSON.parse((await exec(['compare', resultA.run, resultB.run, '--output-dir', outputDir, '--json'])).stdout);
    const arithmetic = compared.rows.find((row: { dataset: string }) => row.dataset === 'arithmetic');
    expect(arithmetic.delta).toBeCloseTo(arithmetic.b - arithmetic.a, 12);
    const table = await exec(['compare', resultA.run, resultB.run, '--output-dir', outputDir]);
    expect(table.stdout).toMatch(/\| dataset\s+\| model \| metric\s+\| fixture_/);
  });

  it('exits 2 with a hint on bad usage and on an unknown run', async () => {
    const usage = await exec(['run', '--model', server.url]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/missing CONFIG/);
    const both = await exec(['run', join(root, 'a.json'), '--model', server.url, '--datasets', 'arithmetic']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/give either CONFIG or --model\/--datasets, not both/);
    const mode = await exec(['run', '--model', server.url, '--model-name', 'toy', '--mode', 'fast', '--datasets', 'arithmetic']);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toMatch(/--mode must be completions or chat, got "fast"/);
    const down = await exec(['run', '--model', 'http://127.0.0.1:9/v1', '--datasets', 'arithmetic']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot list the models of http:\/\/127.0.0.1:9\/v1[\s\S]*--model-name/);
    const missing = await exec(['show', 'nope', '--output-dir', join(root, 'runs')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no finished eval run "nope"[\s\S]*hint: `chainlm-eval list`/);
  });

  it.skipIf(!existsSync(shared))('run --model URL --datasets ... --data-dir --limit --json evaluates the built-in datasets', async () => {
    const result = await exec(['run', '--model', server.url.replace(/\/v1$/, ''), '--datasets', 'arc_easy,gsm8k,humaneval,mmlu', '--data-dir', shared, '--limit', '3', '--no-registry', '--output-dir', join(root, 'shortcut'), '--json']);
    expect(result.stderr).not.toMatch(/^error/m);
    expect(result.code).toBe(0);
    const { rows } = JSON.parse(result.stdout);
    expect(rows.map((row: { dataset: string; metric: string; mode: string; model: string }) => [row.dataset, row.metric, row.mode, row.model])).toEqual([
      ['arc_easy', 'accuracy', 'ppl', 'toy'],
      ['gsm8k', 'accuracy', 'gen', 'toy'],
      ['humaneval', 'pass@1', 'gen', 'toy'],
      ['mmlu', 'accuracy', 'ppl', 'toy'],
    ]);
    // the toy server answers "The answer is 42." to every GSM8K question and writes no valid code
    expect(rows[1].score).toBe(0);
    expect(rows[2].score).toBe(0);
  });

  it('resumes a SIGKILLed run from its saved predictions and ends with the uninterrupted scores', async () => {
    const slow = await startTestServer({ delayMs: 25 });
    try {
      const base = { ...fixtureConfig(join(root, 'data'), slow.url, join(root, 'killed')), presets: [], limit: 48 };
      base.models = [{ ...base.models![0], concurrency: 1 }];
      base.runner = { concurrency: 1, saveEvery: 8, shardSize: 500 };
      base.datasets = [];
      const config = { ...base, presets: ['arithmetic'] };
      const reference = await runEval(buildRunConfig({ ...config, outputDir: join(root, 'reference') }));
      const file = writeConfig('killed.json', config);
      const child = start(['run', file, '--json']);
      const predictions = join(root, 'killed', reference.run, 'predictions', 'toy', 'arithmetic.json');
      const saved = await new Promise<number>((resolveSaved, rejectSaved) => {
        const timer = setInterval(() => {
          if (!existsSync(predictions)) return;
          const count = JSON.parse(readFileSync(predictions, 'utf8')).records.length;
          if (count >= 16) {
            clearInterval(timer);
            child.kill('SIGKILL');
            resolveSaved(count);
          }
        }, 5);
        child.on('exit', () => {
          clearInterval(timer);
          rejectSaved(new Error('the run finished before it could be killed'));
        });
      });
      await new Promise((resolveExit) => child.on('exit', resolveExit));
      expect(child.signalCode).toBe('SIGKILL');
      expect(saved).toBeLessThan(48);
      const before = slow.counts.requests;
      const resumed = await exec(['run', file, '--json']);
      expect(resumed.code).toBe(0);
      const outcome = JSON.parse(resumed.stdout);
      expect(outcome.run).toBe(reference.run);
      expect(outcome.resumedItems).toBeGreaterThanOrEqual(saved);
      expect(outcome.inferredItems).toBe(48 - outcome.resumedItems);
      expect(slow.counts.requests - before).toBe(48 - outcome.resumedItems);
      expect(outcome.rows).toEqual(reference.rows);
    } finally {
      await slow.close();
    }
  });
});
