/**
 * The model object: the config plus tf.Variables in canonical (HF Llama) naming.
 * Linear weights are held [in, out] — transposed from HF's [out, in] — because the
 * wasm matMul is ~10× slower with a transposed operand (see matmul.ts); conversion
 * happens once on load and on toWeightMap. Each parameter's `variable.trainable`
 * can be switched off (LoRA freezes the base this way).
 */
import { ChainlmError } from '@chainlm/core';
import { tf } from '@chainlm/runtime';
import type { DType, WeightMap } from '../io/types.js';
import type { ModelConfig } from '../config/index.js';
import { initialWeights } from './init.js';
import { rotateHalfMatrix } from './rope.js';
import {
  EMBEDDING, FINAL_NORM, LM_HEAD, canonicalShapes, fromCanonicalWeights, layerPrefix, layerWeightSuffixes, toCanonicalWeights, type LayerWeightKey,
} from './weight-names.js';

export type LayerWeights = { [key in LayerWeightKey]?: tf.Variable } & Record<'attentionNorm' | 'q' | 'k' | 'v' | 'o' | 'mlpNorm' | 'gate' | 'up' | 'down', tf.Variable>;

export interface ModelParameter {
  /** Canonical HF name, e.g. `model.layers.0.self_attn.q_proj.weight`. */
  name: string;
  variable: tf.Variable;
  /** True when held transposed from the HF layout (linear weights: [in, out]). */
  transposed: boolean;
}

export interface Model {
  readonly config: ModelConfig;
  readonly embedding: tf.Variable; // [vocab, dim]
  readonly layers: readonly LayerWeights[];
  readonly finalNorm: tf.Variable; // [dim]
  /** [dim, vocab]; null when the classifier is tied to the embedding. */
  readonly lmHead: tf.Variable | null;
  /** rotate_half as a matrix [headDim, headDim] (see rope.ts). */
  readonly rotation: tf.Tensor2D;
  parameters(): ModelParameter[];
  /** Back to this architecture's HF names and layout (host float32). */
  toWeightMap(options?: { dtype?: DType }): WeightMap;
  dispose(): void;
}

export interface CreateModelOptions {
  /** Seed of the random init when no weights are given (default 0). */
  seed?: number;
}

let modelCounter = 0;
/** Names of tensors some checkpoints carry that the model recomputes. */
const ignorable = /(^|\.)rotary_emb\.inv_freq$/;

function isLinearWeight(name: string, shape: number[]): boolean {
  return shape.length === 2 && name !== EMBEDDING;
}

function checkWeights(config: ModelConfig, canonical: WeightMap): void {
  const expected = canonicalShapes(config);
  const missing = [...expected.keys()].filter((name) => !canonical.has(name));
  const unexpected = [...canonical.keys()].filter((name) => !expected.has(name) && !ignorable.test(name) && !(name === LM_HEAD && config.tieWordEmbeddings));
  const list = (names: string[]): string => names.slice(0, 5).join(', ') + (names.length > 5 ? `, … (${names.length} in all)` : '');
  if (missing.length > 0) {
    throw new ChainlmError('weights-missing-tensor', `the checkpoint lacks ${missing.length} tensor(s) this ${config.architecture} config needs: ${list(missing)}`, {
      hint: 'check that config.json (architecture, tie_word_embeddings, bias, num_key_value_heads) matches the checkpoint',
      exitCode: 2,
    });
  }
  if (unexpected.length > 0) {
    throw new ChainlmError('weights-unexpected-tensor', `the checkpoint has ${unexpected.length} tensor(s) a ${config.architecture} model does not use: ${list(unexpected)}`, {
      hint: 'check the architecture in config.json (e.g. InternLM2 names need "InternLM2ForCausalLM")',
      exitCode: 2,
    });
  }
  for (const [name, shape] of expected) {
    const tensor = canonical.get(name)!;
    const size = shape.reduce((product, dimension) => product * dimension, 1);
    if (tensor.shape.join(',') !== shape.join(',') || tensor.data.length !== size) {
      throw new ChainlmError('weights-shape', `tensor "${name}" has shape [${tensor.shape.join(', ')}], expected [${shape.join(', ')}]`, {
        hint: 'check hidden_size, intermediate_size, num_attention_heads, num_key_value_heads and vocab_size in config.json',
        exitCode: 2,
      });
    }
  }
}

/** Builds a model from HF-named weights (any of the four architectures) or a seeded random init. */
export function createModel(config: ModelConfig, weights?: WeightMap, options: CreateModelOptions = {}): Model {
  const canonical = weights ? toCanonicalWeights(config, weights) : initialWeights(config, options.seed ?? 0);
  checkWeights(config, canonical);
  const id = ++modelCounter;
  const dtypes = new Map<string, DType>();
  const parameters: ModelParameter[] = [];
  const variable = (name: string): tf.Variable => {
    const tensor = canonical.get(name)!;
    dtypes.set(name, tensor.dtype);
    const transposed = isLinearWeight(name, tensor.shape);
    const value = tf.tidy(() => {
      const host = tf.tensor(tensor.data, tensor.shape, 'float32');
      return transposed ? tf.transpose(host) : host;
    });
    const created = tf.variable(value, true, `chainlm${id}/${name}`);
    value.dispose();
    parameters.push({ name, variable: created, transposed });
    return created;
  };
  const embedding = variable(EMBEDDING);
  const layers: LayerWeights[] = [];
  for (let layer = 0; layer < config.numLayers; layer++) {
    const weightsOfLayer: Partial<Record<LayerWeightKey, tf.Variable>> = {};
    for (const [key, suffix] of Object.entries(layerWeightSuffixes)) {
      const name = layerPrefix(layer) + suffix;
      if (canonical.has(name)) weightsOfLayer[key as LayerWeightKey] = variable(name);
    }
    layers.push(weightsOfLayer as LayerWeights);
  }
  const finalNorm = variable(FINAL_NORM);
  const lmHead = config.tieWordEmbeddings ? null : variable(LM_HEAD);
  const rotation = tf.tensor2d(rotateHalfMatrix(config.headDim), [config.headDim, config.headDim]);

  return {
    config,
    embedding,
    layers,
    finalNorm,
    lmHead,
    rotation,
    parameters: () => [...parameters],
    toWeightMap: (saveOptions = {}) => {
      const out: WeightMap = new Map();
      for (const parameter of parameters) {
        const data = tf.tidy(() => (parameter.transposed ? tf.transpose(parameter.variable) : parameter.variable.clone())).dataSync() as Float32Array;
        const shape = parameter.transposed ? [...parameter.variable.shape].reverse() : [...parameter.variable.shape];
        out.set(parameter.name, { shape, dtype: saveOptions.dtype ?? dtypes.get(parameter.name) ?? 'F32', data: Float32Array.from(data) });
      }
      return fromCanonicalWeights(config, out);
    },
    dispose: () => {
      for (const parameter of parameters) parameter.variable.dispose();
      rotation.dispose();
      clearHeadCache(embedding);
    },
  };
}

const headCache = new WeakMap<tf.Variable, { dataId: object; transposed: tf.Tensor2D }>();

function clearHeadCache(embedding: tf.Variable): void {
  headCache.get(embedding)?.transposed.dispose();
  headCache.delete(embedding);
}

/**
 * The classifier as [dim, vocab]. Differentiable: the embedding transposed inside the
 * graph (tied) so gradients reach it. For inference a transposed copy is cached until
 * the embedding variable is assigned a new value (its dataId changes).
 */
export function classifierMatrix(model: Model, differentiable: boolean): tf.Tensor2D {
  if (model.lmHead) return model.lmHead as tf.Tensor2D;
  if (differentiable) return tf.transpose(model.embedding as tf.Tensor2D);
  const cached = headCache.get(model.embedding);
  if (cached && cached.dataId === model.embedding.dataId && !cached.transposed.isDisposed) return cached.transposed;
  clearHeadCache(model.embedding);
  const transposed = tf.keep(tf.tidy(() => tf.transpose(model.embedding as tf.Tensor2D)));
  headCache.set(model.embedding, { dataId: model.embedding.dataId, transposed });
  return transposed;
}
