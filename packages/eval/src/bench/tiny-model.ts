/**
 * A real tiny checkpoint for tests: a byte-level BPE tokenizer trained on a few
 * lines and a 2-layer Llama-style model (seeded random init), saved as an HF
 * folder. Small enough to load and run on wasm in well under a second.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createModel, presetConfig, saveHfFolder, saveTokenizerJson, toHfConfig, trainBpeTokenizer } from '@chainlm/model';
import { initBackend } from '@chainlm/runtime';

export const tinyCorpus = [
  'Which is a fruit? Answer: apple',
  'Which is a color? Answer: red',
  '12+7=19',
  '3+4=7',
  'the cat sat on the mat',
  'line 1 of the corpus with words',
];

export async function makeTinyModelFolder(options: { maxPositionEmbeddings?: number } = {}): Promise<string> {
  await initBackend();
  const work = mkdtempSync(join(tmpdir(), 'eval-tiny-model-'));
  const { tokenizer, tokenizerJson } = await trainBpeTokenizer(tinyCorpus, { vocabSize: 300, specialTokens: ['<|endoftext|>'], minFrequency: 1 });
  const tokenizerDir = join(work, 'tokenizer');
  await saveTokenizerJson(tokenizerJson, tokenizerDir);
  const eos = tokenizer.tokenToId('<|endoftext|>')!;
  const config = presetConfig('tiny', {
    vocabSize: tokenizer.vocabSize,
    hiddenSize: 32,
    intermediateSize: 64,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    maxPositionEmbeddings: options.maxPositionEmbeddings ?? 256,
    eosTokenId: eos,
    bosTokenId: null,
  });
  const model = createModel(config, undefined, { seed: 11 });
  const dir = join(work, 'tiny');
  await saveHfFolder(dir, { configJson: toHfConfig(config), weights: model.toWeightMap(), tokenizerFiles: [join(tokenizerDir, 'tokenizer.json'), join(tokenizerDir, 'tokenizer_config.json')] });
  model.dispose();
  return dir;
}
