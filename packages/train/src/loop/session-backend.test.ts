/**
 * The session API picks the runtime's backend itself: a library caller who never
 * called initBackend must not train on tfjs's fallback (the pure-JS cpu backend,
 * ~25x slower than wasm). This file never calls initBackend before the run, and
 * vitest gives each test file a fresh process, so the run is what picks it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveHome } from '@chainlm/core';
import { initBackend, tf } from '@chainlm/runtime';
import { describe, expect, it } from 'vitest';
import { storyTexts } from '../__tests__/fixtures.js';
import { parseTrainConfig } from '../config/load.js';
import { exportRun } from '../lora/export.js';
import { startRun } from './session.js';

describe('session backend', () => {
  it('trains and exports on the backend initBackend chooses, in one thread', async () => {
    const root = mkdtempSync(join(tmpdir(), 'chainlm-train-backend-'));
    const home = resolveHome({ CHAINLM_HOME: join(root, 'home') });
    const corpus = join(root, 'stories.txt');
    writeFileSync(corpus, (await storyTexts(40, 6)).join('\n\n'));
    const shape = { hiddenSize: 16, intermediateSize: 32, numLayers: 1, numHeads: 2, numKvHeads: 1 };
    const config = parseTrainConfig({ preset: 'tiny', model: { shape }, data: { dataset: corpus, seqLen: 16, tokenizerVocabSize: 280 }, maxSteps: 2, evalInterval: 2, evalBatches: 1, checkpointInterval: 2, workers: 1 });
    await startRun(config, { home, run: 'backend' });
    const during = tf.getBackend();
    await exportRun('backend', { out: join(root, 'model'), home });
    // initBackend is memoised: this returns the choice the session made, it does not make one.
    const chosen = await initBackend();
    expect(during).toBe(chosen.tfjsBackend);
    expect(tf.getBackend()).toBe(chosen.tfjsBackend);
    if (!process.env.CHAINLM_BACKEND) expect(chosen.backend).not.toBe('cpu');
  });
});
