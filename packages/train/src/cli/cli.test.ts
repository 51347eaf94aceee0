/**
 * The built CLI end to end, including the exact-resume guarantee: a run killed with
 * SIGKILL after a checkpoint and resumed logs the very same losses, step for step,
 * as an uninterrupted run of the same config. Runs dist/ (build first).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import { storyTexts } from '../__tests__/fixtures.js';

const bin = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../dist/bin/chainlm-train.js');
const home = mkdtempSync(join(tmpdir(), 'chainlm-train-cli-'));
const env = { ...process.env, CHAINLM_HOME: home, CHAINLM_BACKEND: 'wasm' };

function cli(...args: string[]): { code: number | null; json: any; stderr: string } {
  const result = spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  let json: unknown;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    json = undefined;
  }
  return { code: result.status, json, stderr: result.stderr };
}

interface StepLine { step: number; loss: number; gradNorm: number; lr: number }

/** Step lines of a run's metrics.jsonl (the folder `show --json` reports as `dir`). */
function stepLosses(run: string): StepLine[] {
  return readFileSync(join(home, 'runs', run, 'metrics.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line)).filter((line) => 'loss' in line);
}

describe.skipIf(skipUnlessPresent(bin, 'the chainlm-train CLI tests (with the SIGKILL exact-resume test) run the built binary: npm run build'))('chainlm-train CLI', () => {
  const corpus = join(home, 'stories.txt');
  const config = join(home, 'tiny.yaml');

  it('writes the fixtures', async () => {
    writeFileSync(corpus, (await storyTexts(400, 5)).join('\n\n'));
    writeFileSync(config, [
      'preset: tiny',
      'model:',
      '  shape: { hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 2, numKvHeads: 1 }',
      `data: { dataset: ${JSON.stringify(corpus)}, seqLen: 32, tokenizerVocabSize: 320 }`,
      'maxSteps: 24',
      'checkpointInterval: 8',
      'evalInterval: 12',
      'evalBatches: 2',
      'seed: 3',
      '',
    ].join('\n'));
  });

  it('resumes after SIGKILL with the same losses step for step', async () => {
    const whole = cli('run', config, '--run', 'whole', '--json', '--quiet');
    expect(whole.code, whole.stderr).toBe(0);
    expect(whole.json).toMatchObject({ run: 'whole', steps: 24 });
    for (const key of ['initialValLoss', 'finalTrainLoss', 'finalValLoss', 'tokensPerSecond']) expect(typeof whole.json[key]).toBe('number');
    expect(existsSync(whole.json.checkpoint)).toBe(true);

    const child = spawn(process.execPath, [bin, 'run', config, '--run', 'killed', '--quiet'], { env, stdio: 'ignore' });
    const firstCheckpoint = join(home, 'checkpoints', 'killed', 'step-8', 'state.json');
    await new Promise<void>((done, fail) => {
      const timer = setInterval(() => {
        if (existsSync(firstCheckpoint)) {
          clearInterval(timer);
          child.kill('SIGKILL');
          done();
        }
      }, 5);
      child.on('exit', () => {
        clearInterval(timer);
        fail(new Error('the run ended before it could be killed'));
      });
    });
    await new Promise((done) => child.on('exit', done));
    const beforeResume = stepLosses('killed');
    expect(beforeResume.length, 'killed mid-way').toBeLessThan(24);

    const resumed = cli('resume', 'killed', '--json', '--quiet');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.json.steps).toBe(24);
    const expected = stepLosses('whole');
    const actual = stepLosses('killed');
    expect(actual.map((line) => line.step)).toEqual(expected.map((line) => line.step));
    expect(actual.map((line) => line.loss)).toEqual(expected.map((line) => line.loss));
    expect(actual.map((line) => line.gradNorm)).toEqual(expected.map((line) => line.gradNorm));
    expect(resumed.json.finalValLoss).toBe(whole.json.finalValLoss);
    expect(resumed.json.initialValLoss).toBe(whole.json.initialValLoss);
  });

  it('lists and shows runs, refuses to resume a finished run', () => {
    const listed = cli('ls', '--json');
    expect(listed.json.runs.map((run: { run: string }) => run.run)).toEqual(expect.arrayContaining(['whole', 'killed']));
    const shown = cli('show', 'whole', '--json');
    expect(shown.json).toMatchObject({ run: 'whole', status: 'finished', steps: 24, dir: join(home, 'runs', 'whole') });
    expect(shown.json.checkpoints.map((checkpoint: { step: number }) => checkpoint.step)).toEqual([16, 24]);
    const again = cli('resume', 'whole');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already finished/);
    expect(cli('show', 'nope').code).toBe(2);
  });

  it('rejects bad usage with exit code 2', () => {
    expect(cli('run').code).toBe(2);
    expect(cli('run', '--preset', 'tiny').stderr).toMatch(/--preset needs --data/);
    expect(cli('run', config, '--preset', 'tiny').code).toBe(2);
    const badConfig = join(home, 'bad.yaml');
    writeFileSync(badConfig, 'preset: tiny\ndata: { dataset: x.txt }\noptimizer:\n  lr: fast\n');
    const bad = cli('run', badConfig);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${badConfig}:4: optimizer.lr`);
  });
});
