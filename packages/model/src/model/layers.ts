/**
 * The decoder layer as functions both forwards share. Rows are flattened tokens
 * ([N, dim], N = batch·seq for training, the step's tokens for incremental decode);
 * `rowShape` says how to unflatten them for attention ([B, T] or [T]).
 */
import { tf } from '@chainlm/runtime';
import type { Model, LayerWeights } from './create-model.js';
import { linear } from './matmul.js';
import { applyRope, type RopeTensors } from './rope.js';

/** x [N, dim] → x / rms(x) · weight (float32 throughout, as HF computes it). */
export function rmsNorm(x: tf.Tensor2D, weight: tf.Tensor, eps: number): tf.Tensor2D {
  const meanSquare = tf.mean(tf.square(x), -1, true); // [N, 1]
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(meanSquare, eps))), weight);
}

function project(x: tf.Tensor2D, weight: tf.Variable, bias: tf.Variable | undefined): tf.Tensor2D {
  const product = linear(x, weight as tf.Tensor2D);
  return bias ? tf.add(product, bias) : product;
}

export interface AttentionInputs {
  q: tf.Tensor; // [...rowShape, numHeads, headDim], RoPE applied
  k: tf.Tensor; // [...rowShape, numKvHeads, headDim], RoPE applied
  v: tf.Tensor; // [...rowShape, numKvHeads, headDim]
}

/** Pre-norm, q/k/v projections (+ biases) and RoPE for one layer. x [N, dim]. */
export function attentionInputs(model: Model, layer: number, x: tf.Tensor2D, rowShape: number[], ropeQ: RopeTensors, ropeK: RopeTensors): AttentionInputs {
  const { numHeads, numKvHeads, headDim, rmsNormEps } = model.config;
  const weights: LayerWeights = model.layers[layer]!;
  const h = rmsNorm(x, weights.attentionNorm, rmsNormEps);
  const q = tf.reshape(project(h, weights.q, weights.qBias), [...rowShape, numHeads, headDim]);
  const k = tf.reshape(project(h, weights.k, weights.kBias), [...rowShape, numKvHeads, headDim]);
  const v = tf.reshape(project(h, weights.v, weights.vBias), [...rowShape, numKvHeads, headDim]);
  return { q: applyRope(q, ropeQ, model.rotation), k: applyRope(k, ropeK, model.rotation), v };
}

/** SwiGLU: down(silu(gate(h)) · up(h)). h [N, dim] → [N, dim]. */
export function mlp(weights: LayerWeights, h: tf.Tensor2D): tf.Tensor2D {
  const gate = linear(h, weights.gate as tf.Tensor2D);
  const up = linear(h, weights.up as tf.Tensor2D);
  return linear(tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D, weights.down as tf.Tensor2D);
}

/** Output projection + residual, then the MLP block + residual. x [N, dim], attention [N, H·d]. */
export function finishLayer(model: Model, layer: number, x: tf.Tensor2D, attention: tf.Tensor2D): tf.Tensor2D {
  const weights = model.layers[layer]!;
  const afterAttention: tf.Tensor2D = tf.add(x, project(attention, weights.o, weights.oBias));
  return tf.add(afterAttention, mlp(weights, rmsNorm(afterAttention, weights.mlpNorm, model.config.rmsNormEps)));
}
