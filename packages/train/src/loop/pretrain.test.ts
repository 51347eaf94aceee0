/**
 * From-scratch pretraining on tinyshakespeare (../shared) through the session API:
 * the validation loss must end well below the unigram entropy of the corpus under
 * the run's own tokenizer — the loss of the best model that ignores context — so the
 * model has learned to use context. Skips, saying why, when ../shared is absent.
 */
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveHome, skipUnlessPresent } from '@chainlm/core';
import type { PackedRows } from '@chainlm/data';
import { initBackend } from '@chainlm/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTrainConfig } from '../config/load.js';
import { loadTrainingData } from '../data/source.js';
import { RunStore } from './run-store.js';
import { startRun } from './session.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const corpus = resolve(repoRoot, '../shared/datasets/tinyshakespeare/input.txt');

/** −Σ p log p (nats) of the token frequencies of the rows' counted targets. */
function unigramEntropy(rows: PackedRows): number {
  const counts = new Map<number, number>();
  for (let index = 0; index < rows.tokenIds.length; index++) {
    if (index % rows.rowWidth === 0) continue;
    counts.set(rows.tokenIds[index], (counts.get(rows.tokenIds[index]) ?? 0) + 1);
  }
  let total = 0;
  for (const count of counts.values()) total += count;
  let entropy = 0;
  for (const count of counts.values()) entropy -= (count / total) * Math.log(count / total);
  return entropy;
}

describe.skipIf(skipUnlessPresent(corpus, 'the tinyshakespeare pretraining test reads ../shared/datasets (check ../shared out beside the repo)'))('pretraining on tinyshakespeare', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('gets the validation loss well below the unigram entropy', async () => {
    const root = mkdtempSync(join(tmpdir(), 'chainlm-train-shakespeare-'));
    // The first 200 kB (~6,000 lines) keep the test fast; the whole file trains the same way.
    const text = join(root, 'tinyshakespeare.txt');
    writeFileSync(text, readFileSync(corpus, 'utf8').slice(0, 200_000));
    const home = resolveHome({ CHAINLM_HOME: join(root, 'home') });
    const config = parseTrainConfig({
      preset: 'tiny',
      model: { shape: { hiddenSize: 64, intermediateSize: 160, numLayers: 1, numHeads: 4, numKvHeads: 2 } },
      data: { dataset: text, seqLen: 64, tokenizerVocabSize: 384 },
      optimizer: { lr: 2e-2, weightDecay: 0.01 },
      schedule: { warmupSteps: 10 },
      batchSize: 16, maxSteps: 100, evalInterval: 100, evalBatches: 2, checkpointInterval: 100,
    });
    const summary = await startRun(config, { home, run: 'shakespeare' });
    const data = await loadTrainingData(config.data, new RunStore('shakespeare', home).dir);
    const entropy = unigramEntropy(data.train);
    console.info(`tinyshakespeare: unigram entropy ${entropy.toFixed(3)} nats, val loss ${summary.initialValLoss.toFixed(3)} → ${summary.finalValLoss.toFixed(3)}`);
    expect(summary.initialValLoss).toBeGreaterThan(entropy);
    expect(summary.finalValLoss).toBeLessThan(entropy - 0.4);
  });
});
