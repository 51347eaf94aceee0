/**
 * Gradient check: the analytic gradient of the training loss (tf.variableGrads
 * through the training forward and the fused classifier loss) against central finite
 * differences of the loss value, for every parameter kind — embedding, attention
 * norm, q/k/v/o, MLP norm, gate/up/down, final norm, untied classifier, and LoRA's
 * a and b — on a tiny float32 config. Weights are drawn with std ~0.3 (not 0.02) so
 * gradients are well above float32 noise.
 */
import { canonicalShapes, classifierMatrix, createModel, presetConfig, type Model } from '@chainlm/model';
import { initBackend, tf } from '@chainlm/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { decoderHidden, type LinearHooks } from '../forward/decoder.js';
import { classifierLossSum, classifierLossSumWithGrad } from '../forward/fused-loss.js';
import { attachLora } from '../lora/lora-runtime.js';
import { SeededRandom } from '@chainlm/core';

const config = presetConfig('tiny', {
  vocabSize: 11, hiddenSize: 8, intermediateSize: 12, numLayers: 1, numHeads: 2, numKvHeads: 1, maxPositionEmbeddings: 16, tieWordEmbeddings: false,
});
const [batch, seq] = [2, 5];

function randomModel(seed: number): Model {
  const rng = new SeededRandom(seed);
  const weights = new Map();
  for (const [name, shape] of canonicalShapes(config)) {
    const size = shape.reduce((product: number, dim: number) => product * dim, 1);
    const isNorm = name.endsWith('norm.weight');
    weights.set(name, { shape, dtype: 'F32', data: Float32Array.from({ length: size }, () => (isNorm ? 1 + (rng.next() - 0.5) * 0.4 : (rng.next() - 0.5) * 1.0)) });
  }
  return createModel(config, weights);
}

interface Setup {
  named: { name: string; variable: tf.Variable }[];
  lossOf: (withGrad: boolean) => tf.Scalar;
}

/** Tiny model + batch; LoRA on q_proj and down_proj; the base trainable or frozen (and quantized). */
function setup(method: 'lora' | 'qlora'): Setup {
  const model = randomModel(7);
  const rng = new SeededRandom(3);
  const ids = Int32Array.from({ length: batch * (seq + 1) }, () => rng.below(config.vocabSize));
  const inputs = tf.tensor2d(ids.filter((_, index) => index % (seq + 1) !== seq), [batch, seq], 'int32');
  const targets = ids.filter((_, index) => index % (seq + 1) !== 0);
  // Two packed documents in row 1, and one masked position.
  const segmentIds = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1];
  const mask = Float32Array.from([1, 1, 0, 1, 1, 1, 1, 1, 1, 1]);
  const hooks: LinearHooks = new Map();
  const lora = attachLora(model, hooks, { rank: 2, alpha: 4, dropout: 0, targetModules: ['q_proj', 'down_proj'], quantBits: 8, groupSize: 4 }, { seed: 1, quantize: method === 'qlora' });
  // B starts at 0 (so A would get no gradient): give it values for the check.
  for (const { name, variable } of lora.parameters) if (name.endsWith('lora_b')) variable.assign(tf.randomNormal(variable.shape, 0, 0.5, 'float32', 9));
  let named = lora.parameters;
  if (method === 'lora') {
    // Base trainable too: every kind of the decoder is checked alongside the adapters.
    for (const { variable } of model.parameters()) variable.trainable = true;
    named = [...model.parameters().map(({ name, variable }) => ({ name, variable })), ...lora.parameters];
  }
  const lossOf = (withGrad: boolean) =>
    tf.tidy(() => {
      const hidden = decoderHidden(model, hooks, inputs, segmentIds);
      const classifier = classifierMatrix(model, true);
      if (!withGrad) return classifierLossSum(hidden, classifier, { targets, mask });
      return classifierLossSumWithGrad(hidden, classifier, { targets, mask }, { weightGrad: model.embedding.trainable || model.lmHead!.trainable });
    });
  return { named, lossOf };
}

function checkAgainstFiniteDifferences({ named, lossOf }: Setup): void {
  const { grads } = tf.variableGrads(() => lossOf(true), named.map(({ variable }) => variable));
  const eps = 1e-2;
  for (const { name, variable } of named) {
    const analytic = grads[variable.name].dataSync() as Float32Array;
    // Check the 3 largest-|grad| entries of each parameter, plus one fixed entry.
    const order = Array.from(analytic.keys()).sort((a, b) => Math.abs(analytic[b]) - Math.abs(analytic[a]));
    const picks = [...new Set([...order.slice(0, 3), Math.floor(analytic.length / 2)])];
    const original = Float32Array.from(variable.dataSync() as Float32Array);
    for (const index of picks) {
      const probe = (delta: number): number => {
        const values = original.slice();
        values[index] += delta;
        variable.assign(tf.tensor(values, variable.shape));
        return lossOf(false).dataSync()[0];
      };
      const numeric = (probe(eps) - probe(-eps)) / (2 * eps);
      variable.assign(tf.tensor(original, variable.shape));
      const tolerance = 2e-3 + 3e-2 * Math.abs(numeric);
      expect(Math.abs(analytic[index] - numeric), `${name}[${index}]: analytic ${analytic[index]} vs numeric ${numeric}`).toBeLessThan(tolerance);
    }
  }
}

describe('gradient check', () => {
  beforeAll(async () => {
    await initBackend();
  });

  it('matches central differences for every parameter kind (base and LoRA trainable)', () => {
    const checked = setup('lora');
    expect(new Set(checked.named.map(({ name }) => name.replace(/\.\d+\./, '.N.'))).size).toBeGreaterThanOrEqual(15);
    checkAgainstFiniteDifferences(checked);
  });

  it('matches central differences for LoRA over a frozen, quantized base (QLoRA)', () => {
    const checked = setup('qlora');
    expect(checked.named.map(({ name }) => name)).toEqual([
      'model.layers.0.self_attn.q_proj.lora_a', 'model.layers.0.self_attn.q_proj.lora_b',
      'model.layers.0.mlp.down_proj.lora_a', 'model.layers.0.mlp.down_proj.lora_b',
    ]);
    checkAgainstFiniteDifferences(checked);
  });
});
