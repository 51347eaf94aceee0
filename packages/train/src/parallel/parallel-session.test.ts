/**
 * A run with 2 data-parallel workers through the session: it trains, and a second
 * run of the same config logs bit-identical losses (fixed reduction order).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveHome } from '@chainlm/core';
import { initBackend } from '@chainlm/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { storyTexts } from '../__tests__/fixtures.js';
import { parseTrainConfig } from '../config/load.js';
import { isStepMetrics, RunStore } from '../loop/run-store.js';
import { startRun } from '../loop/session.js';

const root = mkdtempSync(join(tmpdir(), 'chainlm-train-parallel-'));
const home = resolveHome({ CHAINLM_HOME: join(root, 'home') });

beforeAll(async () => {
  await initBackend();
  writeFileSync(join(root, 'stories.txt'), (await storyTexts(120, 4)).join('\n\n'));
});

describe('data-parallel session', () => {
  it('trains with 2 workers, deterministically', async () => {
    const config = parseTrainConfig({
      preset: 'tiny', model: { shape: { hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 2, numKvHeads: 1 } },
      data: { dataset: join(root, 'stories.txt'), seqLen: 32, tokenizerVocabSize: 300 }, workers: 2, maxSteps: 8, evalInterval: 8, evalBatches: 1,
    });
    const first = await startRun(config, { home, run: 'first' });
    const second = await startRun(config, { home, run: 'second' });
    expect(first.workers).toBe(2);
    expect(first.finalValLoss).toBeLessThan(first.initialValLoss);
    const losses = (run: string) => new RunStore(run, home).readMetrics().filter(isStepMetrics).map((line) => line.loss);
    expect(losses('second')).toEqual(losses('first'));
    expect(losses('first')).toHaveLength(8);
  });
});
