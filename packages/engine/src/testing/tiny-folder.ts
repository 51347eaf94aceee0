/**
 * Test helper: a tiny random-weight model saved as an HF folder with its own BPE
 * tokenizer (tokenizer.json), so folder loading, text prompts, text deltas and stop
 * strings can be exercised end to end without ../shared.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel, presetConfig, saveHfFolder, saveTokenizerJson, toHfConfig, trainBpeTokenizer, type Model } from '@chainlm/model';

const corpus = ['Once upon a time there was a little cat.', 'The cat sat on the mat and looked at the sun.', 'A dog ran to the park, and the cat ran home.'];

/** Writes the folder and returns it with the model it holds (dispose it when done). */
export async function writeTinyFolder(seed = 3): Promise<{ dir: string; model: Model }> {
  const work = mkdtempSync(join(tmpdir(), 'chainlm-engine-folder-'));
  const { tokenizer, tokenizerJson } = await trainBpeTokenizer(corpus, { vocabSize: 300, specialTokens: ['<s>', '</s>'] });
  await saveTokenizerJson(tokenizerJson, join(work, 'tokenizer'));
  const config = presetConfig('tiny', { vocabSize: tokenizer.vocabSize, hiddenSize: 64, intermediateSize: 128, numLayers: 2, numHeads: 4, numKvHeads: 2, bosTokenId: 0, eosTokenId: 1 });
  const model = createModel(config, undefined, { seed });
  const dir = join(work, 'tiny');
  await saveHfFolder(dir, { configJson: toHfConfig(config), weights: model.toWeightMap(), tokenizerFiles: [join(work, 'tokenizer', 'tokenizer.json'), join(work, 'tokenizer', 'tokenizer_config.json')] });
  return { dir, model };
}
