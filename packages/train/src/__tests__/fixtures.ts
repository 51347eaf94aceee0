/**
 * Test fixtures built through the real APIs: the project's generated story corpus
 * as UTF-8 byte tokens (a real, if simple, tokenization: vocab 256 + EOS), packed
 * into rows; and the tiny model spec the tests train.
 */
import { presetConfig } from '@chainlm/model';
import { packDocuments, type PackedRows } from '@chainlm/data';
import type { ReplicaSpec } from '../loop/replica.js';

export const byteEos = 256;
export const byteVocab = 257;

/** The story grammar of @chainlm/datasets (a devDependency: tests only). */
export async function storyTexts(count: number, seed = 1): Promise<string[]> {
  const { generateStories } = await import('@chainlm/datasets');
  return generateStories(count, seed).map((story: { text: string }) => story.text);
}

/** Each text's bytes + EOS, packed as a text-file run packs them (partial last row dropped). */
export function bytesPacked(texts: string[], rowWidth: number): Promise<PackedRows> {
  const encoder = new TextEncoder();
  return packDocuments(texts.map((text) => ({ ids: [...encoder.encode(text), byteEos] })), { rowWidth, mode: 'pretrain', padId: byteEos, partialRow: 'drop' });
}

export function tinySpec(overrides: Partial<ReplicaSpec> = {}): ReplicaSpec {
  return {
    modelConfig: presetConfig('tiny', { vocabSize: byteVocab, hiddenSize: 32, intermediateSize: 64, numLayers: 2, numHeads: 2, numKvHeads: 1, maxPositionEmbeddings: 64 }),
    seed: 1,
    method: 'pretrain',
    ...overrides,
  };
}

/** Largest |a[i] - b[i]|: how far two logit or weight arrays are apart. */
export function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let index = 0; index < a.length; index++) worst = Math.max(worst, Math.abs(a[index] - b[index]));
  return worst;
}
