/**
 * Test helper: stories260K from ../shared through the llama2.c importer, and its
 * golden greedy ids. `storiesPath` is undefined when ../shared is absent.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createModel, importLlama2c, loadHfFolder, parseHfConfig, type Model } from '@chainlm/model';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..');
const folder = join(repoRoot, '../shared/models/stories260K');
export const storiesPath = existsSync(join(folder, 'stories260K.bin')) ? folder : undefined;

export interface Stories {
  model: Model;
  goldenIds: number[];
}

export async function loadStories260K(): Promise<Stories> {
  const out = mkdtempSync(join(tmpdir(), 'chainlm-engine-stories-'));
  try {
    await importLlama2c(join(folder, 'stories260K.bin'), join(out, 'stories260K'));
    const hf = await loadHfFolder(join(out, 'stories260K'));
    const model = createModel(parseHfConfig(hf.configJson, join(hf.dir, 'config.json')), hf.weights);
    const golden = JSON.parse(readFileSync(join(folder, 'golden.json'), 'utf8')) as { greedy_ids: number[] };
    return { model, goldenIds: golden.greedy_ids };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
