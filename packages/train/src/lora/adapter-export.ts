/**
 * Trainable LoRA parameters (model layout: `<module>.lora_a` [in, rank],
 * `<module>.lora_b` [rank, out]) → a host adapter in PEFT layout (A [rank, in],
 * B [out, rank]), and back.
 */
import type { LoraAdapter, WeightMap } from '@chainlm/model';
import type { LoraConfig } from '../config/schema.js';

function transpose(data: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let row = 0; row < rows; row++) for (let column = 0; column < columns; column++) out[column * rows + row] = data[row * columns + column];
  return out;
}

export function adapterFromTrainable(weights: WeightMap, config: Pick<LoraConfig, 'rank' | 'alpha' | 'dropout' | 'targetModules'>): LoraAdapter {
  const adapter: LoraAdapter = { rank: config.rank, alpha: config.alpha, dropout: config.dropout, targetModules: [...config.targetModules], modules: new Map() };
  for (const [name, a] of weights) {
    if (!name.endsWith('.lora_a')) continue;
    const module = name.slice(0, -'.lora_a'.length);
    const b = weights.get(`${module}.lora_b`)!;
    const [inFeatures, rank] = a.shape;
    const [, outFeatures] = b.shape;
    adapter.modules.set(module, { a: transpose(a.data, inFeatures, rank), b: transpose(b.data, rank, outFeatures), rank, inFeatures, outFeatures });
  }
  return adapter;
}

export function trainableFromAdapter(adapter: LoraAdapter): WeightMap {
  const weights: WeightMap = new Map();
  for (const [module, lora] of adapter.modules) {
    weights.set(`${module}.lora_a`, { shape: [lora.inFeatures, lora.rank], dtype: 'F32', data: transpose(lora.a, lora.rank, lora.inFeatures) });
    weights.set(`${module}.lora_b`, { shape: [lora.rank, lora.outFeatures], dtype: 'F32', data: transpose(lora.b, lora.outFeatures, lora.rank) });
  }
  return weights;
}
