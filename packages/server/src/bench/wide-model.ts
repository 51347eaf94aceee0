/**
 * A wider random-weight model on the tiny chat model's tokenizer (256-dim, 4 layers),
 * for the replica comparison: per token it costs the engine ~4x the tiny model while
 * the HTTP/SSE work per token stays the same, so the engine — what replicas
 * parallelize — is most of the CPU. Its replies are noise; the bench sets ignore_eos.
 */
import { join } from 'node:path';
import { createModel, loadHfFolder, parseHfConfig, presetConfig, saveHfFolder, toHfConfig } from '@chainlm/model';

export async function makeWideModel(tinyDir: string): Promise<string> {
  const tiny = parseHfConfig((await loadHfFolder(tinyDir)).configJson);
  const config = presetConfig('tiny', { vocabSize: tiny.vocabSize, hiddenSize: 256, intermediateSize: 768, numLayers: 4, numHeads: 8, numKvHeads: 4, maxPositionEmbeddings: 512, eosTokenId: tiny.eosTokenId, bosTokenId: null });
  const model = createModel(config, undefined, { seed: 1 });
  const dir = `${tinyDir}-wide`;
  await saveHfFolder(dir, { configJson: toHfConfig(config), weights: model.toWeightMap(), tokenizerFiles: ['tokenizer.json', 'tokenizer_config.json'].map((file) => join(tinyDir, file)) });
  model.dispose();
  return dir;
}
