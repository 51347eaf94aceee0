/**
 * The stories260K golden: llama2.c's run.c greedy ids from BOS, reproduced exactly
 * through the llama2.c importer (→ HF folder) → config → model → generate.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@chainlm/runtime';
import { importLlama2c, loadHfFolder } from '../io/index.js';
import { parseHfConfig } from '../config/index.js';
import { createModel } from '../model/index.js';
import { generate } from './generate.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const stories = join(repoRoot, '../shared/models/stories260K');
if (!existsSync(stories)) console.warn(`skipped the stories260K golden: ${stories} is absent (../shared not checked out beside the repo)`);

describe.skipIf(!existsSync(stories))('stories260K golden (../shared/models)', () => {
  const out = mkdtempSync(join(tmpdir(), 'chainlm-golden-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  beforeAll(async () => {
    await initBackend();
  });

  it('greedy from BOS reproduces llama2.c run.c exactly', async () => {
    const golden = JSON.parse(readFileSync(join(stories, 'golden.json'), 'utf8')) as { prompt_ids: number[]; greedy_ids: number[]; temperature: number };
    await importLlama2c(join(stories, 'stories260K.bin'), join(out, 'stories260K'));
    const folder = await loadHfFolder(join(out, 'stories260K'));
    const config = parseHfConfig(folder.configJson, join(folder.dir, 'config.json'));
    expect(config).toMatchObject({ architecture: 'llama', hiddenSize: 64, numLayers: 5, numHeads: 8, numKvHeads: 4, vocabSize: 512, tieWordEmbeddings: true });
    const model = createModel(config, folder.weights);
    const streamed: number[] = [];
    // run.c -n 200 samples 200 ids (its `how` text says 199; the list holds 200) and
    // stops only on BOS, which never appears: compare all of them.
    const result = await generate(model, golden.prompt_ids, {
      maxNewTokens: golden.greedy_ids.length, temperature: golden.temperature, stopIds: [], onToken: ({ id }) => streamed.push(id),
    });
    model.dispose();
    expect(golden.greedy_ids).toHaveLength(200);
    expect(result.ids).toEqual(golden.greedy_ids);
    expect(streamed).toEqual(golden.greedy_ids);
    expect(result).toMatchObject({ text: null, finishReason: 'length' });
  });
});
