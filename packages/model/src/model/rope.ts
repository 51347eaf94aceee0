/**
 * Rotary position embeddings in HF's rotate_half convention: for a head vector x of
 * size d (halves x1, x2), rope(x) = x·cos + rotate_half(x)·sin with
 * rotate_half(x) = [-x2, x1], cos/sin over [θ_0..θ_{d/2-1}, θ_0..θ_{d/2-1}],
 * θ_i = position / base^(2i/d).
 *
 * Scaling (HF Llama/InternLM semantics):
 * - linear: position / factor;
 * - dynamic NTK: when the sequence (max position + 1) exceeds maxPositionEmbeddings,
 *   base' = base · (factor·len/max − (factor − 1))^(d/(d−2)); below it, the plain base.
 *   As in HF, the base follows the length of the current forward, so keys cached at
 *   a shorter length keep their old rotation.
 *
 * Tables are computed on the host in float64 and rounded once (more exact than
 * float32 angles at long positions). rotate_half is applied as a product with a
 * fixed signed permutation matrix R [d, d] — on wasm one 2-D matMul is cheaper than
 * slice + negate + concat and its gradient is one more product.
 */
import { tf } from '@chainlm/runtime';
import type { ModelConfig } from '../config/index.js';
import { linear } from './matmul.js';

/** The rope base used for a forward whose longest sequence has `sequenceLength` tokens. */
export function ropeBase(config: ModelConfig, sequenceLength: number): number {
  const scaling = config.ropeScaling;
  if (scaling?.type !== 'dynamic' || sequenceLength <= config.maxPositionEmbeddings) return config.ropeTheta;
  const dim = config.headDim;
  const growth = (scaling.factor * sequenceLength) / config.maxPositionEmbeddings - (scaling.factor - 1);
  return config.ropeTheta * growth ** (dim / (dim - 2));
}

/**
 * cos and sin rows for the given positions: [positions.length, headDim] each,
 * multiplied by `scale` (the attention scale folds into q's tables for free).
 */
export function ropeRows(config: ModelConfig, positions: ArrayLike<number>, base: number, scale = 1): { cos: Float32Array; sin: Float32Array } {
  const dim = config.headDim;
  const half = dim / 2;
  const positionScale = config.ropeScaling?.type === 'linear' ? 1 / config.ropeScaling.factor : 1;
  const inverseFrequencies = new Float64Array(half);
  for (let index = 0; index < half; index++) inverseFrequencies[index] = 1 / base ** ((2 * index) / dim);
  const cos = new Float32Array(positions.length * dim);
  const sin = new Float32Array(positions.length * dim);
  for (let row = 0; row < positions.length; row++) {
    const position = positions[row]! * positionScale;
    for (let index = 0; index < half; index++) {
      const angle = position * inverseFrequencies[index]!;
      const cosine = Math.cos(angle) * scale;
      const sine = Math.sin(angle) * scale;
      cos[row * dim + index] = cosine;
      cos[row * dim + half + index] = cosine;
      sin[row * dim + index] = sine;
      sin[row * dim + half + index] = sine;
    }
  }
  return { cos, sin };
}

/** R [d, d] with x·R = rotate_half(x). */
export function rotateHalfMatrix(headDim: number): Float32Array {
  const half = headDim / 2;
  const matrix = new Float32Array(headDim * headDim);
  for (let column = 0; column < half; column++) {
    matrix[(column + half) * headDim + column] = -1;
    matrix[column * headDim + column + half] = 1;
  }
  return matrix;
}

export interface RopeTensors {
  /** Broadcastable to x's shape [..., heads, headDim]: [..., 1, headDim]. */
  cos: tf.Tensor;
  sin: tf.Tensor;
}

/** Tensors for a block of rows, shaped [...rowShape, 1, headDim] to broadcast over heads. */
export function ropeTensors(config: ModelConfig, positions: ArrayLike<number>, rowShape: number[], base: number, scale = 1): RopeTensors {
  const { cos, sin } = ropeRows(config, positions, base, scale);
  const shape = [...rowShape, 1, config.headDim];
  return { cos: tf.tensor(cos, shape), sin: tf.tensor(sin, shape) };
}

/** x [..., heads, headDim] → rope(x), same shape. `rotation` is rotateHalfMatrix as a tensor. */
export function applyRope(x: tf.Tensor, rope: RopeTensors, rotation: tf.Tensor2D): tf.Tensor {
  const headDim = x.shape[x.shape.length - 1]!;
  const rotated = tf.reshape(linear(tf.reshape(x, [-1, headDim]), rotation), x.shape);
  return tf.add(tf.mul(x, rope.cos), tf.mul(rotated, rope.sin));
}
