/**
 * Matrix products shaped for the wasm backend, with gradients that stay fast.
 *
 * Measured on wasm (tfjs 4.22, this repo's 2-core machine): a 2-D matMul runs at
 * ~40 GFLOP/s, but `transposeA`/`transposeB` run 10–12× slower and a rank-3 matMul
 * with batch > 1 ~5× slower than the same products issued as 2-D matMuls. tfjs's
 * built-in matMul gradient uses both transposes (dA = dy·Bᵀ, dB = Aᵀ·dy). So:
 * - weights are stored [in, out] and `linear` is a plain 2-D product whose custom
 *   gradient transposes explicitly (a transpose is a cheap copy);
 * - batches are cut and joined with splitRows / concatRows (rows.ts);
 * - `batchMatMul` issues 2-D products on wasm and one batched op elsewhere.
 */
import { tf } from '@chainlm/runtime';
import { concatRows, splitRows } from './rows.js';

type GradFunction = Parameters<typeof tf.customGrad>[0];

/** x [N, in] · w [in, out] → [N, out]. */
export const linear = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedX, savedW] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy as tf.Tensor2D, tf.transpose(savedW)), tf.matMul(tf.transpose(savedX), dy as tf.Tensor2D)];
    },
  };
}) as unknown as GradFunction) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

/** Whether batched products should be issued as 2-D ones (see the header). */
export function prefersSlicedProducts(): boolean {
  return tf.getBackend() === 'wasm';
}

/**
 * a [batch, M, K] · b [batch, K, N] → [batch, M, N]; differentiable. `products`
 * forces one strategy (default: 2-D products on wasm, one batched op elsewhere).
 */
export function batchMatMul(a: tf.Tensor3D, b: tf.Tensor3D, products?: 'sliced' | 'batched'): tf.Tensor3D {
  const [batch, rows, inner] = a.shape;
  const columns = b.shape[2];
  if (batch === 1) return tf.reshape(linear(tf.reshape(a, [rows, inner]), tf.reshape(b, [inner, columns])), [1, rows, columns]) as tf.Tensor3D;
  if ((products ?? (prefersSlicedProducts() ? 'sliced' : 'batched')) === 'batched') return batchedLinear(a, b);
  const left = splitRows(tf.reshape(a, [batch * rows, inner]) as tf.Tensor2D, batch);
  const right = splitRows(tf.reshape(b, [batch * inner, columns]) as tf.Tensor2D, batch);
  return tf.reshape(concatRows(left.map((matrix, index) => linear(matrix, right[index]!))), [batch, rows, columns]) as tf.Tensor3D;
}

/** One batched op, with explicit transposes in the gradient (for non-wasm backends). */
const batchedLinear = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedA, savedB] = saved as [tf.Tensor3D, tf.Tensor3D];
      return [tf.matMul(dy as tf.Tensor3D, tf.transpose(savedB, [0, 2, 1])), tf.matMul(tf.transpose(savedA, [0, 2, 1]), dy as tf.Tensor3D)];
    },
  };
}) as unknown as GradFunction) as (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D;
