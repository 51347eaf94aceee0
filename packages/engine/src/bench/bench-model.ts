/** Bench models: a preset shape with seeded random weights, fp32 or weight-only quantized. */
import { createModel, presetConfig, type Model } from '@chainlm/model';
import { createQuantizedModel, quantizeModel, quantizedModelBytes } from '../quant/quantize-model.js';
import { EngineError } from '../errors.js';

export type BenchShape = 'tiny' | 's15';
export type BenchVariant = 'fp32' | 'w8a16' | 'w4a16';

export interface BenchModel {
  model: Model;
  /** Bytes of the weights as stored (quantized form for w4a16/w8a16). */
  storedBytes: number;
}

export function benchModel(shape: BenchShape, variant: BenchVariant, seed = 1): BenchModel {
  if (shape !== 'tiny' && shape !== 's15') throw new EngineError('engine-bench-invalid', `unknown bench shape "${shape}"`, 'use tiny or s15');
  // s15: llama2.c's stories15M shape (dim 288, 6 layers, 6 heads, vocab 32000); tiny: the 4-layer test preset.
  const config = presetConfig(shape, { maxPositionEmbeddings: 512 });
  const model = createModel(config, undefined, { seed });
  if (variant === 'fp32') return { model, storedBytes: model.parameters().reduce((sum, parameter) => sum + parameter.variable.size * 4, 0) };
  const quantized = quantizeModel(model, { bits: variant === 'w4a16' ? 4 : 8, groupSize: 32 });
  model.dispose();
  return { model: createQuantizedModel(quantized), storedBytes: quantizedModelBytes(quantized) };
}
