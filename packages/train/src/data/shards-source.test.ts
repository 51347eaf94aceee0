/**
 * Training from chainlm-data's own output: a JSONL file ingested into CHAINLM_HOME
 * and trained by dataset *name* (tokenized on the fly into `<name>.tok<W>` Arrow
 * shards), then the shards folder given as data.shards. Real data-package calls, a
 * real trained BPE tokenizer.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRegistry, resolveHome, writeJsonAtomic } from '@chainlm/core';
import { datasetFolder, ingest } from '@chainlm/data';
import { trainBpeTokenizer } from '@chainlm/model';
import { initBackend } from '@chainlm/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { storyTexts } from '../__tests__/fixtures.js';
import { parseTrainConfig } from '../config/load.js';
import { startRun } from '../loop/session.js';

const root = mkdtempSync(join(tmpdir(), 'chainlm-train-shards-'));
const home = resolveHome({ CHAINLM_HOME: join(root, 'home') });
const tokenizer = join(root, 'tokenizer.json');
const shape = { hiddenSize: 32, intermediateSize: 64, numLayers: 1, numHeads: 2, numKvHeads: 1 };
let tokenized = '';

beforeAll(async () => {
  await initBackend();
  const texts = await storyTexts(120, 9);
  const file = join(root, 'stories.jsonl');
  writeFileSync(file, texts.map((text) => JSON.stringify({ text })).join('\n'));
  await ingest({ home, dataset: 'stories', paths: [file] });
  const trained = await trainBpeTokenizer(texts, { vocabSize: 300 });
  await writeJsonAtomic(tokenizer, trained.tokenizerJson);
});

describe('datasets and shards from chainlm-data', () => {
  it('trains on an ingested dataset by name, tokenizing it into shards first', async () => {
    const config = parseTrainConfig({ preset: 'tiny', model: { shape }, data: { dataset: 'stories', tokenizer, seqLen: 31, valFraction: 0.1 }, maxSteps: 6, evalInterval: 6, evalBatches: 1 });
    const summary = await startRun(config, { home, run: 'by-name' });
    expect(summary.steps).toBe(6);
    expect(summary.finalValLoss).toBeLessThan(summary.initialValLoss);
    const lineage = await openRegistry({ file: home.registryFile }).lineage('run:by-name');
    tokenized = lineage!.up.map(({ artifact }) => artifact.id).find((id) => id.startsWith('dataset:stories.tok32-'))!.slice('dataset:'.length);
    expect(tokenized).toMatch(/^stories\.tok32-[0-9a-f]{8}$/);
  });

  it('trains on a shards folder', async () => {
    const config = parseTrainConfig({ preset: 'tiny', model: { shape }, data: { shards: datasetFolder(home, tokenized), seqLen: 31 }, maxSteps: 3, evalInterval: 3, evalBatches: 1 });
    const summary = await startRun(config, { home, run: 'by-shards' });
    expect(summary.steps).toBe(3);
    expect(summary.tokenizer).toBe(tokenizer);
  });

  it('trains a BPE tokenizer on an ingested dataset when none is given (the --preset --data NAME shortcut)', async () => {
    const config = parseTrainConfig({ preset: 'tiny', model: { shape }, data: { dataset: 'stories', seqLen: 31, tokenizerVocabSize: 290 }, maxSteps: 2, evalInterval: 2, evalBatches: 1 });
    const summary = await startRun(config, { home, run: 'own-tokenizer' });
    expect(summary.tokenizer).toBe(join(home.path('runs', 'own-tokenizer'), 'tokenizer.json'));
  });

  it('explains a folder without shards', async () => {
    const noShards = parseTrainConfig({ preset: 'tiny', data: { shards: root }, maxSteps: 1 });
    await expect(startRun(noShards, { home, run: 'no-shards' })).rejects.toThrow(/has no shards\.json/);
  });
});
