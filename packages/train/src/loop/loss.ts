/**
 * Masked next-token cross-entropy. Returns the SUM of −log p(target) over positions
 * whose mask is 1 (not the mean), so micro-batches and workers can be added up and
 * divided once by the total count of masked tokens: the data-parallel gradient then
 * equals the single-process one.
 *
 * log-softmax is tf.logSoftmax: x − max − log Σ exp(x − max), stable for large
 * logits, with its own gradient (softmax − onehot, no residue through the max).
 * The target logit is picked with a flat gather (no one-hot [N, V] tensor).
 */
import { tf } from '@chainlm/runtime';

/**
 * @param logits  [B, T, V] float32
 * @param targets [B, T] int32 next-token ids
 * @param mask    [B, T] float32, 1 = counted
 */
export function maskedCrossEntropySum(logits: tf.Tensor3D, targets: tf.Tensor2D, mask: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [batch, seq, vocab] = logits.shape;
    const rows = batch * seq;
    const logProbs = tf.logSoftmax(tf.reshape(logits, [rows, vocab])); // [N, V]
    const rowStarts = tf.mul(tf.range(0, rows, 1, 'int32'), tf.scalar(vocab, 'int32')); // [N]
    const flatIndex = tf.add(rowStarts, tf.reshape(targets, [rows])); // [N]
    const picked = tf.gather(tf.reshape(logProbs, [rows * vocab]), flatIndex); // [N]
    return tf.neg(tf.sum(tf.mul(picked, tf.reshape(mask, [rows])))) as tf.Scalar;
  });
}
