/**
 * One tensor-parallel shard of a model (Megatron-style): rank r of `world` keeps
 * query heads [r·H/w, (r+1)·H/w) with their KV heads, the matching rows of o_proj,
 * FFN columns [r·F/w, …) of gate/up with the matching rows of down_proj, and vocab
 * columns [r·V/w, …) of the classifier. The shard is shaped like a Model (config
 * with H/w heads), so the model's own `attentionInputs` runs on it unchanged.
 */
import { tf } from '@chainlm/runtime';
import { classifierMatrix, type LayerWeights, type Model } from '@chainlm/model';
import { EngineError } from '../errors.js';

export interface Shard {
  model: Model;
  /** [dim, vocab slice] */
  classifier: tf.Tensor2D;
  vocabStart: number;
  vocabSize: number;
  /** Only rank 0 adds o_proj's bias (once for the whole sum). */
  addOutputBias: boolean;
}

export function shardRange(size: number, rank: number, world: number): [number, number] {
  const start = Math.floor((size * rank) / world);
  return [start, Math.floor((size * (rank + 1)) / world)];
}

export function makeShard(model: Model, rank: number, world: number): Shard {
  const config = model.config;
  if (config.numHeads % world !== 0 || config.numKvHeads % world !== 0 || config.intermediateSize % world !== 0) {
    throw new EngineError('engine-request-invalid', `tensor parallel over ${world} workers needs numHeads (${config.numHeads}), numKvHeads (${config.numKvHeads}) and intermediateSize (${config.intermediateSize}) divisible by ${world}`, 'use a world size that divides them');
  }
  const keep = (tensor: tf.Tensor) => tf.variable(tensor, false) as tf.Variable;
  const columns = (weight: tf.Tensor, start: number, width: number) => keep(tf.slice(weight, [0, start], [weight.shape[0]!, width]));
  const rows = (weight: tf.Tensor, start: number, height: number) => keep(tf.slice(weight, [start, 0], [height, weight.shape[1]!]));
  const vector = (bias: tf.Tensor | undefined, start: number, width: number) => (bias ? keep(tf.slice(bias, [start], [width])) : undefined);
  const headDim = config.headDim;
  const heads = config.numHeads / world;
  const kvHeads = config.numKvHeads / world;
  const ffn = config.intermediateSize / world;
  const layers = model.layers.map((weights): LayerWeights => {
    const qStart = rank * heads * headDim;
    const kvStart = rank * kvHeads * headDim;
    return {
      attentionNorm: weights.attentionNorm,
      mlpNorm: weights.mlpNorm,
      q: columns(weights.q, qStart, heads * headDim),
      k: columns(weights.k, kvStart, kvHeads * headDim),
      v: columns(weights.v, kvStart, kvHeads * headDim),
      o: rows(weights.o, qStart, heads * headDim),
      qBias: vector(weights.qBias, qStart, heads * headDim),
      kBias: vector(weights.kBias, kvStart, kvHeads * headDim),
      vBias: vector(weights.vBias, kvStart, kvHeads * headDim),
      oBias: rank === 0 ? weights.oBias : undefined,
      gate: columns(weights.gate, rank * ffn, ffn),
      up: columns(weights.up, rank * ffn, ffn),
      down: rows(weights.down, rank * ffn, ffn),
    } as LayerWeights;
  });
  const [vocabStart, vocabEnd] = shardRange(config.vocabSize, rank, world);
  const classifier = tf.tidy(() => tf.slice(classifierMatrix(model, false), [0, vocabStart], [config.hiddenSize, vocabEnd - vocabStart])) as tf.Tensor2D;
  const shardModel = { ...model, config: { ...config, numHeads: heads, numKvHeads: kvHeads, intermediateSize: ffn }, layers } as Model;
  return { model: shardModel, classifier, vocabStart, vocabSize: vocabEnd - vocabStart, addOutputBias: rank === 0 };
}
