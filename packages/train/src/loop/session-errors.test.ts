/** Guards of the session, trainer and worker pool that a user can trip. */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBus, resolveHome } from '@chainlm/core';
import { splitTailRows } from '@chainlm/data';
import { initBackend } from '@chainlm/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesPacked, storyTexts, tinySpec } from '../__tests__/fixtures.js';
import { parseTrainConfig } from '../config/load.js';
import { exportRun } from '../lora/export.js';
import { WorkerPool } from '../parallel/worker-pool.js';
import { LocalEngine } from './local-engine.js';
import { RunStore } from './run-store.js';
import { resumeRun, startRun } from './session.js';
import { runTrainer, validationBatches } from './trainer.js';

const root = mkdtempSync(join(tmpdir(), 'chainlm-train-errors-'));
const home = resolveHome({ CHAINLM_HOME: join(root, 'home') });
const corpus = join(root, 'stories.txt');
const shape = { hiddenSize: 16, intermediateSize: 32, numLayers: 1, numHeads: 2, numKvHeads: 1 };

beforeAll(async () => {
  await initBackend();
  writeFileSync(corpus, (await storyTexts(40, 6)).join('\n\n'));
});

function config(overrides: Record<string, unknown>) {
  return parseTrainConfig({ preset: 'tiny', model: { shape }, data: { dataset: corpus, seqLen: 16, tokenizerVocabSize: 280 }, maxSteps: 2, evalInterval: 2, evalBatches: 1, ...overrides });
}

describe('session guards', () => {
  it('refuses to start over an existing run and to resume an unknown one', async () => {
    await startRun(config({}), { home, run: 'once' });
    await expect(startRun(config({}), { home, run: 'once' })).rejects.toThrow(/run "once" already exists/);
    await expect(resumeRun('never', { home })).rejects.toThrow(/no run "never"/);
  });

  it('marks a failed run and says why (data too small, model vocab too small)', async () => {
    const tiny = join(root, 'tiny.txt');
    writeFileSync(tiny, 'a b');
    await expect(startRun(config({ data: { dataset: tiny, seqLen: 16 } }), { home, run: 'small-data' })).rejects.toThrow(/packs into 0 row\(s\) of 17 tokens/);
    expect(new RunStore('small-data', home).info().status).toBe('failed');
    await expect(startRun(config({ model: { size: 'tiny', shape, vocabSize: 100 } }), { home, run: 'small-vocab' })).rejects.toThrow(/model\.vocabSize 100 is smaller than the tokenizer's 280 tokens/);
  });

  it('stops with a clear error when the loss is not finite', async () => {
    await expect(startRun(config({ optimizer: { lr: 1e30 }, schedule: { warmupSteps: 0, decay: 'constant' }, clipGradNorm: 0, maxSteps: 5 }), { home, run: 'diverged' })).rejects.toThrow(/loss became (NaN|Infinity) at step \d of run diverged/);
  });

  it('cannot export a run without checkpoints', async () => {
    const store = new RunStore('empty', home);
    store.ensureDir();
    await store.writeInfo({ run: 'empty', status: 'running', method: 'pretrain', createdAt: '', updatedAt: '' });
    await expect(exportRun('empty', { out: join(root, 'out'), home })).rejects.toThrow(/spec\.json is missing: the run never got past its setup/);
    copyFileSync(join(new RunStore('once', home).dir, 'spec.json'), join(store.dir, 'spec.json'));
    await expect(exportRun('empty', { out: join(root, 'out'), home })).rejects.toThrow(/run "empty" has no checkpoint yet/);
  });

  it('needs a validation split of at least one batch', async () => {
    const { val } = splitTailRows(await bytesPacked(await storyTexts(5), 17), 0.1);
    expect(() => validationBatches(val, { batchSize: 64, evalBatches: 1, workers: 1 })).toThrow(/fewer than one batch of 64/);
    const engine = await LocalEngine.create(tinySpec());
    const store = new RunStore('val', home);
    await expect(runTrainer({ config: config({ batchSize: 64 }), store, engine, train: val, val, events: new EventBus() })).rejects.toThrow(/validation split has/);
    await engine.dispose();
  });

  it('reports a worker that cannot build its replica', async () => {
    await expect(WorkerPool.create(tinySpec({ basePath: join(root, 'no-such-model') }), 2)).rejects.toThrow(/worker: .*no-such-model/);
  });
});
