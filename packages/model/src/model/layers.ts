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

/** Leaf names of the decoder's linear projections (HF Llama naming). */
export type ProjectionName = 'q_proj' | 'k_proj' | 'v_proj' | 'o_proj' | 'gate_proj' | 'up_proj' | 'down_proj';

/**
 * An extra term added to a projection of one layer (per-row LoRA in the incremental
 * forward): x [N, in] → [N, out], or undefined when the module gets none.
 */
export type ProjectionDelta = (module: ProjectionName, x: tf.Tensor2D) => tf.Tensor2D | undefined;

function project(x: tf.Tensor2D, weight: tf.Variable, bias: tf.Variable | undefined, module?: ProjectionName, delta?: ProjectionDelta): tf.Tensor2D {
  let product = linear(x, weight as tf.Tensor2D);
  if (bias) product = tf.add(product, bias);
  const extra = module && delta ? delta(module, x) : undefined;
  return extra ? tf.add(product, extra) : product;
}

export interface AttentionInputs {
  q: tf.Tensor; // [...rowShape, numHeads, headDim], RoPE applied
  k: tf.Tensor; // [...rowShape, numKvHeads, headDim], RoPE applied
  v: tf.Tensor; // [...rowShape, numKvHeads, headDim]
}

/** Pre-norm, q/k/v projections (+ biases, + `delta`) and RoPE for one layer. x [N, dim]. */
export function attentionInputs(model: Model, layer: number, x: tf.Tensor2D, rowShape: number[], ropeQ: RopeTensors, ropeK: RopeTensors, delta?: ProjectionDelta): AttentionInputs {
  const { numHeads, numKvHeads, headDim, rmsNormEps } = model.config;
  const weights: LayerWeights = model.layers[layer]!;
  const h = rmsNorm(x, weights.attentionNorm, rmsNormEps);
  const q = tf.reshape(project(h, weights.q, weights.qBias, 'q_proj', delta), [...rowShape, numHeads, headDim]);
  const k = tf.reshape(project(h, weights.k, weights.kBias, 'k_proj', delta), [...rowShape, numKvHeads, headDim]);
  const v = tf.reshape(project(h, weights.v, weights.vBias, 'v_proj', delta), [...rowShape, numKvHeads, headDim]);
  return { q: applyRope(q, ropeQ, model.rotation), k: applyRope(k, ropeK, model.rotation), v };
}

/** SwiGLU: down(silu(gate(h)) · up(h)) (+ `delta` per projection). h [N, dim] → [N, dim]. */
export function mlp(weights: LayerWeights, h: tf.Tensor2D, delta?: ProjectionDelta): tf.Tensor2D {
  const gate = project(h, weights.gate, undefined, 'gate_proj', delta);
  const up = project(h, weights.up, undefined, 'up_proj', delta);
  return project(tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D, weights.down, undefined, 'down_proj', delta);
}

/** Output projection + residual, then the MLP block + residual. x [N, dim], attention [N, H·d]. */
export function finishLayer(model: Model, layer: number, x: tf.Tensor2D, attention: tf.Tensor2D, delta?: ProjectionDelta): tf.Tensor2D {
  const weights = model.layers[layer]!;
  const afterAttention: tf.Tensor2D = tf.add(x, project(attention, weights.o, weights.oBias, 'o_proj', delta));
  return tf.add(afterAttention, mlp(weights, rmsNorm(afterAttention, weights.mlpNorm, model.config.rmsNormEps), delta));
}
