/**
 * Classifier + masked cross-entropy in row chunks, never holding [N, vocab] logits.
 * For each chunk of rows: logits = h·W, lse = logsumexp (max-subtracted, stable),
 * loss += Σ mask·(lse − logit[target]); in training the gradient is computed right
 * there, because the loss is the graph's last op: ∂/∂logits = mask·(softmax − onehot),
 * dh = g·Wᵀ, dW += hᵀ·g. Backprop then only scales the saved dh, dW by dy.
 * Peak extra memory is a few [chunk, vocab] buffers instead of several [N, vocab].
 */
import { tf } from '@chainlm/runtime';

export interface LossTargets {
  /** [N] next-token ids. */
  targets: Int32Array;
  /** [N] 1 = counted. */
  mask: Float32Array;
}

/** tfjs-wasm's OneHot writes int32 bits into a float32 output; build int32 and cast. */
function oneHotFloat(indices: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.cast(tf.oneHot(indices, depth), 'float32') as tf.Tensor2D;
}

/** ~32 MB of logits per chunk at vocab 32000. */
function chunkRows(vocab: number): number {
  return Math.max(16, Math.floor((8 << 20) / vocab));
}

/** Σ mask·(lse − logit[target]) over one chunk of rows. */
function chunkLoss(h: tf.Tensor2D, weight: tf.Tensor2D, targets: Int32Array, mask: Float32Array): tf.Scalar {
  const rows = h.shape[0];
  const vocab = weight.shape[1];
  const logits = tf.matMul(h, weight) as tf.Tensor2D; // [rows, V]
  const lse = tf.logSumExp(logits, -1, true) as tf.Tensor2D; // [rows, 1]
  const target = tf.tensor1d(targets, 'int32');
  const rowStarts = tf.tensor1d(Int32Array.from({ length: rows }, (_, row) => row * vocab), 'int32');
  const picked = tf.gather(tf.reshape(logits, [rows * vocab]), tf.add(rowStarts, target)); // [rows]
  const weights = tf.tensor2d(mask, [rows, 1]);
  return tf.sum(tf.mul(tf.sub(tf.reshape(lse, [rows]), picked), tf.reshape(weights, [rows]))) as tf.Scalar;
}

/**
 * As chunkLoss, plus the softmax, with one exp pass over [rows, V]:
 * e = exp(x − max), s = Σ e, lse = max + log s, softmax = e / s.
 */
function chunkSoftmax(h: tf.Tensor2D, weight: tf.Tensor2D, targets: Int32Array, mask: Float32Array): { loss: tf.Scalar; probs: tf.Tensor2D; target: tf.Tensor1D; weights: tf.Tensor2D } {
  const rows = h.shape[0];
  const vocab = weight.shape[1];
  const logits = tf.matMul(h, weight) as tf.Tensor2D; // [rows, V]
  const max = tf.max(logits, -1, true); // [rows, 1]
  const exps = tf.exp(tf.sub(logits, max)); // [rows, V]
  const sums = tf.sum(exps, -1, true); // [rows, 1]
  const lse = tf.add(max, tf.log(sums)); // [rows, 1]
  const target = tf.tensor1d(targets, 'int32');
  const rowStarts = tf.tensor1d(Int32Array.from({ length: rows }, (_, row) => row * vocab), 'int32');
  const picked = tf.gather(tf.reshape(logits, [rows * vocab]), tf.add(rowStarts, target)); // [rows]
  const weights = tf.tensor2d(mask, [rows, 1]);
  const loss = tf.sum(tf.mul(tf.sub(tf.reshape(lse, [rows]), picked), tf.reshape(weights, [rows]))) as tf.Scalar;
  return { loss, probs: tf.div(exps, sums) as tf.Tensor2D, target, weights };
}

/** Loss only (evaluation): hidden [N, d], classifier [d, V] → Σ masked −log p. */
export function classifierLossSum(hidden: tf.Tensor2D, weight: tf.Tensor2D, { targets, mask }: LossTargets): tf.Scalar {
  return tf.tidy(() => {
    const rows = hidden.shape[0];
    const step = chunkRows(weight.shape[1]);
    let total: tf.Scalar = tf.scalar(0);
    for (let start = 0; start < rows; start += step) {
      const end = Math.min(rows, start + step);
      const h = tf.slice(hidden, [start, 0], [end - start, -1]);
      total = tf.add(total, chunkLoss(h, weight, targets.subarray(start, end), mask.subarray(start, end))) as tf.Scalar;
    }
    return total;
  });
}

/**
 * Differentiable in `hidden` and `weight`; same value as classifierLossSum.
 * `weightGrad: false` (a frozen classifier, e.g. LoRA) skips dW = hᵀ·g, a third of
 * the classifier's backward FLOPs, and reports a zero gradient for it.
 */
export function classifierLossSumWithGrad(hidden: tf.Tensor2D, weight: tf.Tensor2D, { targets, mask }: LossTargets, options: { weightGrad?: boolean } = {}): tf.Scalar {
  const weightGrad = options.weightGrad ?? true;
  const fused = tf.customGrad(((h: tf.Tensor, w: tf.Tensor) => {
    const rows = h.shape[0]!;
    const [dim, vocab] = w.shape as [number, number];
    const step = chunkRows(vocab);
    const weightT = tf.transpose(w as tf.Tensor2D); // [V, d] once, so dh is a plain 2-D product
    let loss: tf.Scalar = tf.scalar(0);
    let dWeight: tf.Tensor2D = tf.zeros([dim, vocab]);
    const dHidden: tf.Tensor2D[] = [];
    for (let start = 0; start < rows; start += step) {
      const end = Math.min(rows, start + step);
      const out = tf.tidy(() => {
        const hc = tf.slice(h as tf.Tensor2D, [start, 0], [end - start, -1]);
        const chunk = chunkSoftmax(hc, w as tf.Tensor2D, targets.subarray(start, end), mask.subarray(start, end));
        const g = tf.mul(tf.sub(chunk.probs, oneHotFloat(chunk.target, vocab)), chunk.weights) as tf.Tensor2D; // [rows, V]
        return { loss: tf.add(loss, chunk.loss) as tf.Scalar, dh: tf.matMul(g, weightT) as tf.Tensor2D, dw: weightGrad ? (tf.add(dWeight, tf.matMul(tf.transpose(hc), g)) as tf.Tensor2D) : tf.clone(dWeight) };
      });
      loss.dispose();
      dWeight.dispose();
      loss = out.loss;
      dWeight = out.dw;
      dHidden.push(out.dh);
    }
    const dh = tf.keep(tf.concat(dHidden, 0));
    const dw = tf.keep(dWeight);
    return {
      value: loss as tf.Tensor,
      gradFunc: (dy: tf.Tensor) => {
        const grads = [tf.mul(dh, dy), tf.mul(dw, dy)];
        dh.dispose();
        dw.dispose();
        return grads;
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return fused(hidden, weight) as tf.Scalar;
}
