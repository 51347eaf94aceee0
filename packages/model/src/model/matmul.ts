/**
 * Matrix products shaped for the wasm backend, with gradients that stay fast.
 *
 * Measured on wasm (tfjs 4.22, this repo's 2-core machine): a 2-D matMul runs at
 * ~40 GFLOP/s, but `transposeA`/`transposeB` run 10–12× slower and a rank-3 matMul
 * with batch > 1 ~5× slower than the same products issued as 2-D matMuls. tfjs's
 * built-in matMul gradient uses both transposes (dA = dy·Bᵀ, dB = Aᵀ·dy). So:
 * - weights are stored [in, out] and `linear` is a plain 2-D product whose custom
 *   gradient transposes explicitly (a transpose is a cheap copy);
 * - `batchMatMul` splits the batch into 2-D products on wasm (a handful of heads ×
 *   sequences, each op ~12 µs of overhead) and uses one batched op elsewhere.
 */
import { tf } from '@chainlm/runtime';

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
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor2D, w: tf.Tensor2D) => tf.Tensor2D;

function swapLastTwo(x: tf.Tensor3D): tf.Tensor3D {
  return tf.transpose(x, [0, 2, 1]);
}

function batchedProduct(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  if (a.shape[0] === 1 || tf.getBackend() !== 'wasm') return tf.matMul(a, b);
  const left = tf.unstack(a) as tf.Tensor2D[];
  const right = tf.unstack(b) as tf.Tensor2D[];
  return tf.stack(left.map((matrix, index) => tf.matMul(matrix, right[index]!))) as tf.Tensor3D;
}

/** a [batch, M, K] · b [batch, K, N] → [batch, M, N], no transposes. */
export const batchMatMul = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: batchedProduct(a as tf.Tensor3D, b as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [savedA, savedB] = saved as [tf.Tensor3D, tf.Tensor3D];
      return [batchedProduct(dy as tf.Tensor3D, swapLastTwo(savedB)), batchedProduct(swapLastTwo(savedA), dy as tf.Tensor3D)];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor3D, b: tf.Tensor3D) => tf.Tensor3D;
