/**
 * Scaled dot-product attention over rows laid out as the projections produce them
 * ([batch, tokens, heads, headDim]), with grouped-query attention done by grouping
 * the G = numHeads/numKvHeads query heads that share a kv head into one product —
 * no repeat of k/v. Heads are batched with reshape/transpose into B·Hkv independent
 * problems; elsewhere they run as two batched products, on wasm as 2-D products per
 * problem with the softmax per problem too, so the large score tensor is never
 * joined and cut again (see matmul.ts for the measurements behind this).
 *
 * Masks are additive (0 = attend, MASKED = not) and built on the host: they depend
 * only on positions and segment ids, never on values.
 */
import { tf } from '@chainlm/runtime';
import { batchMatMul, linear, prefersSlicedProducts } from './matmul.js';
import { concatRows, splitRows } from './rows.js';

/** Added to masked scores: exp underflows to exactly 0 after the max subtraction. */
export const MASKED = -1e9;

export interface AttentionOptions {
  /** Additive, broadcastable to [batch, 1, queries, keys]. */
  mask?: tf.Tensor;
  /** Multiplies the scores; default 1/sqrt(headDim). Pass 1 when q is pre-scaled. */
  scale?: number;
  /** How to run the B·Hkv products; default: 'sliced' on wasm, 'batched' elsewhere. */
  products?: 'sliced' | 'batched';
}

/**
 * q [B, Tq, H, d], k and v [B, Tk, Hkv, d] → [B, Tq, H·d].
 * Query head h reads kv head floor(h / G) (HF's repeat_kv order).
 */
export function scaledDotProductAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, options: AttentionOptions = {}): tf.Tensor3D {
  const [batch, queries, heads, headDim] = q.shape;
  const [, keys, kvHeads] = k.shape;
  const group = heads / kvHeads;
  const scale = options.scale ?? 1 / Math.sqrt(headDim);
  const scaledQ = scale === 1 ? q : tf.mul(q, scale);
  // [B, H, Tq, d] → [B·Hkv, G·Tq, d]: the G heads of a kv head are adjacent.
  const groupedQ = tf.reshape(tf.transpose(scaledQ, [0, 2, 1, 3]), [batch * kvHeads, group * queries, headDim]) as tf.Tensor3D;
  const keysT = tf.reshape(tf.transpose(k, [0, 2, 3, 1]), [batch * kvHeads, headDim, keys]) as tf.Tensor3D; // [B·Hkv, d, Tk]
  const values = tf.reshape(tf.transpose(v, [0, 2, 1, 3]), [batch * kvHeads, keys, headDim]) as tf.Tensor3D; // [B·Hkv, Tk, d]
  const problems = batch * kvHeads;
  let context: tf.Tensor; // [B, H, Tq, d]
  const products = options.products ?? (prefersSlicedProducts() ? 'sliced' : 'batched');
  if (problems > 1 && products === 'sliced') {
    context = tf.reshape(slicedAttention(groupedQ, keysT, values, options.mask, kvHeads), [batch, heads, queries, headDim]);
  } else {
    let scores: tf.Tensor = tf.reshape(batchMatMul(groupedQ, keysT, products), [batch, heads, queries, keys]);
    if (options.mask) scores = tf.add(scores, options.mask);
    const probabilities = tf.reshape(tf.softmax(scores), [problems, group * queries, keys]) as tf.Tensor3D;
    context = tf.reshape(batchMatMul(probabilities, values, products), [batch, heads, queries, headDim]);
  }
  return tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch, queries, heads * headDim]) as tf.Tensor3D;
}

/**
 * The B·Hkv problems one by one: q [P, G·Tq, d], kᵀ [P, d, Tk], v [P, Tk, d] →
 * [P·G·Tq, d]. Problem p belongs to batch row floor(p / Hkv) (for the mask).
 */
function slicedAttention(q: tf.Tensor3D, keysT: tf.Tensor3D, values: tf.Tensor3D, mask: tf.Tensor | undefined, kvHeads: number): tf.Tensor2D {
  const [problems, rows, headDim] = q.shape;
  const keys = keysT.shape[2];
  const queryParts = splitRows(tf.reshape(q, [problems * rows, headDim]) as tf.Tensor2D, problems);
  const keyParts = splitRows(tf.reshape(keysT, [problems * headDim, keys]) as tf.Tensor2D, problems);
  const valueParts = splitRows(tf.reshape(values, [problems * keys, headDim]) as tf.Tensor2D, problems);
  let maskRows: tf.Tensor[] = [];
  if (mask) {
    const maskBatch = mask.shape[0]!;
    const queries = mask.shape[2]!;
    const flat = tf.reshape(mask, [maskBatch * queries, mask.shape[3]!]);
    maskRows = maskBatch === 1 ? [flat] : splitRows(flat, maskBatch);
  }
  const outputs = queryParts.map((queryPart, problem) => {
    let scores: tf.Tensor = linear(queryPart, keyParts[problem]!); // [G·Tq, Tk]
    if (mask) {
      const maskRow = maskRows[maskRows.length === 1 ? 0 : Math.floor(problem / kvHeads)]!; // [Tq, Tk]
      scores = tf.add(tf.reshape(scores, [-1, ...maskRow.shape]), maskRow);
    }
    return linear(tf.reshape(tf.softmax(scores), [rows, keys]) as tf.Tensor2D, valueParts[problem]!);
  });
  return concatRows(outputs);
}

/**
 * Mask for queries at absolute `positions` over keys 0..keyLength-1 of the same
 * sequence: key j is visible to a query at position p iff j ≤ p. [Tq · keyLength].
 */
export function causalMaskData(positions: ArrayLike<number>, keyLength: number): Float32Array {
  const mask = new Float32Array(positions.length * keyLength);
  for (let row = 0; row < positions.length; row++) {
    const position = positions[row]!;
    for (let key = position + 1; key < keyLength; key++) mask[row * keyLength + key] = MASKED;
  }
  return mask;
}

/**
 * Training mask [B, 1, T, T] (or [1, 1, T, T] when nothing varies per row): causal,
 * block-diagonal over `segmentIds` (packed documents attend only within their own
 * segment) and hiding keys whose `attentionMask` is 0 (padding).
 */
export function trainingMask(batch: number, length: number, segmentIds?: ArrayLike<number>, attentionMask?: ArrayLike<number>): tf.Tensor4D {
  if (!segmentIds && !attentionMask) {
    return tf.tensor4d(causalMaskData(Int32Array.from({ length }, (_, index) => index), length), [1, 1, length, length]);
  }
  const mask = new Float32Array(batch * length * length);
  for (let row = 0; row < batch; row++) {
    const offset = row * length;
    for (let query = 0; query < length; query++) {
      const base = (offset + query) * length;
      for (let key = 0; key < length; key++) {
        const visible =
          key <= query &&
          (!segmentIds || segmentIds[offset + key] === segmentIds[offset + query]) &&
          (!attentionMask || attentionMask[offset + key] !== 0);
        if (!visible) mask[base + key] = MASKED;
      }
    }
  }
  return tf.tensor4d(mask, [batch, 1, length, length]);
}
