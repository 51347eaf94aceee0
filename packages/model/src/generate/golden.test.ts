/**
 * The stories260K golden: llama2.c's run.c greedy ids from BOS, reproduced exactly
 * through the llama2.c importer (→ HF folder) → config → model → generate.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import { initBackend, tf } from '@chainlm/runtime';
import { importLlama2c, loadHfFolder } from '../io/index.js';
import { parseHfConfig } from '../config/index.js';
import { createModel, forward, type Model } from '../model/index.js';
import { generate } from './generate.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const stories = join(repoRoot, '../shared/models/stories260K');

describe.skipIf(skipUnlessPresent(stories, 'the stories260K golden reads ../shared/models (check ../shared out beside the repo)'))('stories260K golden (../shared/models)', () => {
  const out = mkdtempSync(join(tmpdir(), 'chainlm-golden-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  beforeAll(async () => {
    await initBackend();
  });

  let golden: { prompt_ids: number[]; greedy_ids: number[]; temperature: number };
  let model: Model;
  beforeAll(async () => {
    golden = JSON.parse(readFileSync(join(stories, 'golden.json'), 'utf8')) as typeof golden;
    await importLlama2c(join(stories, 'stories260K.bin'), join(out, 'stories260K'));
    const folder = await loadHfFolder(join(out, 'stories260K'));
    const config = parseHfConfig(folder.configJson, join(folder.dir, 'config.json'));
    expect(config).toMatchObject({ architecture: 'llama', hiddenSize: 64, numLayers: 5, numHeads: 8, numKvHeads: 4, vocabSize: 512, tieWordEmbeddings: true });
    model = createModel(config, folder.weights);
  });
  afterAll(() => model.dispose());

  it('greedy from BOS reproduces llama2.c run.c exactly', async () => {
    const streamed: number[] = [];
    // run.c -n 200 samples 200 ids (its `how` text says 199; the list holds 200) and
    // stops only on BOS, which never appears: compare all of them.
    const result = await generate(model, golden.prompt_ids, {
      maxNewTokens: golden.greedy_ids.length, temperature: golden.temperature, stopIds: [], onToken: ({ id }) => streamed.push(id),
    });
    expect(golden.greedy_ids).toHaveLength(200);
    expect(result.ids).toEqual(golden.greedy_ids);
    expect(streamed).toEqual(golden.greedy_ids);
    expect(result).toMatchObject({ text: null, finishReason: 'length' });
  });

  it('the training forward (batch 2, one row packed with two documents) predicts the same ids', () => {
    // Teacher forcing on the greedy chain: the argmax after each prefix is the next golden id.
    const chain = [...golden.prompt_ids, ...golden.greedy_ids];
    const half = 32;
    const rows = [chain.slice(0, 2 * half), [...chain.slice(0, half), ...chain.slice(0, half)]];
    const segmentIds = [...new Array(2 * half).fill(0), ...new Array(half).fill(1), ...new Array(half).fill(2)];
    const predicted = tf.tidy(() => [...tf.argMax(forward(model, tf.tensor2d(rows, undefined, 'int32'), { segmentIds }), -1).dataSync()]);
    expect(predicted.slice(0, 2 * half - 1)).toEqual(chain.slice(1, 2 * half));
    expect(predicted.slice(2 * half, 3 * half - 1)).toEqual(chain.slice(1, half));
    expect(predicted.slice(3 * half, 4 * half - 1)).toEqual(chain.slice(1, half));
  });
});
