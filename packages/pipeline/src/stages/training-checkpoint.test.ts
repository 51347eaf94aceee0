/**
 * What a real training run leaves behind (runs/<run>/, checkpoints/<run>/step-N/) is
 * not a model folder: serving or evaluating one says it is a training checkpoint and
 * gives the `chainlm-train export` command — and that very command, run as printed,
 * writes a folder the same loader then serves.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveHome, skipUnlessPresent, type ChainlmError } from '@chainlm/core';
import { generateStories } from '@chainlm/datasets';
import { loadEngine } from '@chainlm/engine';
import { initBackend } from '@chainlm/runtime';
import { loadServedModel } from '@chainlm/server';
import { parseTrainConfig, startRun } from '@chainlm/train';

const trainBin = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../train/dist/bin/chainlm-train.js');
const root = mkdtempSync(join(tmpdir(), 'chainlm-training-checkpoint-'));
const homeDir = join(root, 'home');
const home = resolveHome({ CHAINLM_HOME: homeDir });

beforeAll(async () => {
  await initBackend();
  const corpus = join(root, 'stories.txt');
  writeFileSync(corpus, generateStories(60, 1).map((story: { text: string }) => story.text).join('\n\n'));
  const shape = { hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 2, numKvHeads: 1 };
  await startRun(parseTrainConfig({ name: 'tiny', preset: 'tiny', model: { shape }, data: { dataset: corpus, seqLen: 32, tokenizerVocabSize: 300 }, maxSteps: 4, checkpointInterval: 2, evalInterval: 4, evalBatches: 1 }), { home, run: 'tiny' });
}, 120_000);

async function refusal(folder: string): Promise<ChainlmError> {
  return loadServedModel(folder).then(
    () => expect.unreachable(`${folder} was served`),
    (error: ChainlmError) => error,
  );
}

describe('a training run pointed at as a model', () => {
  it('serve and eval (one loader) say it is a training checkpoint and give chainlm-train export, never "config.json not found"', async () => {
    const cases = [
      [home.path('checkpoints', 'tiny', 'step-4'), /is a training checkpoint \(step-4 of run "tiny"/],
      [home.path('checkpoints', 'tiny'), /is the checkpoints folder of training run "tiny"/],
      [home.path('runs', 'tiny'), /is the folder of training run "tiny"/],
    ] as const;
    for (const [folder, what] of cases) {
      const error = await refusal(folder);
      expect(error).toMatchObject({ code: 'engine-model-folder', message: expect.stringMatching(what), hint: expect.stringContaining('`chainlm-train export tiny --out DIR`') });
      expect(error.message).not.toMatch(/config\.json not found/);
      await expect(loadEngine(folder)).rejects.toMatchObject({ code: 'engine-model-folder' });
    }
  });

  it.skipIf(skipUnlessPresent(trainBin, 'running the printed chainlm-train export needs the built CLI: npm run build'))('the printed command, run as it is, writes a folder that serves', async () => {
    const hint = (await refusal(home.path('checkpoints', 'tiny', 'step-4'))).hint!;
    const command = /`(chainlm-train [^`]+)`/.exec(hint)![1].replace('DIR', join(root, 'exported'));
    const [, ...args] = command.split(' ');
    const exported = spawnSync(process.execPath, [trainBin, ...args], { env: { ...process.env, CHAINLM_HOME: homeDir }, encoding: 'utf8', timeout: 120_000 });
    expect(exported.status, exported.stderr).toBe(0);
    const served = await loadServedModel(join(root, 'exported'), { engine: { maxSeqs: 2, cacheGiB: 0.005 } });
    expect(served.tokenizer).toBeDefined();
    await served.engine.close();
  }, 120_000);
});
