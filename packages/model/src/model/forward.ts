/**
 * Training forward over whole sequences: tokens [B, T] → logits [B, T, V].
 * Differentiable end to end (gather for the embedding, whose gradient the runtime
 * registers on wasm; no cumsum). Packed sequences: pass `segmentIds` [B, T] — each
 * document attends only to itself and its positions restart at 0.
 */
import { ChainlmError } from '@chainlm/core';
import { tf } from '@chainlm/runtime';
import { classifierMatrix, type Model } from './create-model.js';
import { scaledDotProductAttention, trainingMask } from './attention.js';
import { attentionInputs, finishLayer, rmsNorm } from './layers.js';
import { linear } from './matmul.js';
import { ropeBase, ropeTensors } from './rope.js';

type Rows = tf.Tensor2D | ArrayLike<number>;

export interface ForwardOptions {
  /** [B, T]: 1 for real tokens, 0 for padding (padding keys are never attended). */
  attentionMask?: Rows;
  /** [B, T]: document id of each token in a packed row (block-diagonal causal mask). */
  segmentIds?: Rows;
  /** [B, T]: explicit RoPE positions (default 0..T-1, restarting per segment). */
  positionIds?: Rows;
  /** Also return the final-normed hidden states [B, T, dim]. */
  returnHidden?: boolean;
}

function hostRows(value: Rows | undefined, batch: number, length: number, name: string): ArrayLike<number> | undefined {
  if (value === undefined) return undefined;
  const data = value instanceof tf.Tensor ? value.dataSync() : value;
  if (data.length !== batch * length) {
    throw new ChainlmError('forward-input', `${name} has ${data.length} entries, expected batch·seq = ${batch}·${length}`, { hint: `pass ${name} shaped [batch, seq] like tokenIds` });
  }
  return data;
}

/**
 * Positions 0..T-1 per row, restarting where the segment id changes (packed
 * documents): [batch·length]. @chainlm/train's training forward uses it too.
 */
export function packedPositions(batch: number, length: number, segmentIds: ArrayLike<number> | undefined): Int32Array {
  const positions = new Int32Array(batch * length);
  for (let row = 0; row < batch; row++) {
    let position = 0;
    for (let column = 0; column < length; column++) {
      const index = row * length + column;
      if (column > 0 && segmentIds && segmentIds[index] !== segmentIds[index - 1]) position = 0;
      positions[index] = position++;
    }
  }
  return positions;
}

function checkTokens(model: Model, tokenIds: tf.Tensor2D): void {
  if (tokenIds.rank !== 2 || tokenIds.dtype !== 'int32') {
    throw new ChainlmError('forward-input', `tokenIds must be an int32 tensor [batch, seq], got ${tokenIds.dtype} [${tokenIds.shape.join(', ')}]`, { hint: "build it with tf.tensor2d(ids, [batch, seq], 'int32')" });
  }
  const ids = tokenIds.dataSync();
  for (const id of ids) {
    if (id < 0 || id >= model.config.vocabSize) {
      throw new ChainlmError('forward-input', `token id ${id} is outside the vocabulary [0, ${model.config.vocabSize})`, { hint: 'check that the tokenizer matches the model' });
    }
  }
}

/**
 * Final-normed hidden states [B, T, dim], without the classifier: for losses that
 * project to the vocabulary in chunks (a [B·T, 32000] logits tensor is 262 MB at
 * B·T = 2048) — see `projectLogits`.
 */
export function forwardHidden(model: Model, tokenIds: tf.Tensor2D, options: Omit<ForwardOptions, 'returnHidden'> = {}): tf.Tensor3D {
  checkTokens(model, tokenIds);
  const { config } = model;
  const [batch, length] = tokenIds.shape;
  const segmentIds = hostRows(options.segmentIds, batch, length, 'segmentIds');
  const attentionMask = hostRows(options.attentionMask, batch, length, 'attentionMask');
  const explicitPositions = hostRows(options.positionIds, batch, length, 'positionIds');
  const perRow = Boolean(segmentIds || explicitPositions);
  const positions = explicitPositions ?? packedPositions(perRow ? batch : 1, length, segmentIds);
  let longest = 0;
  for (let index = 0; index < positions.length; index++) longest = Math.max(longest, positions[index]! + 1);
  const base = ropeBase(config, longest);
  const rowShape = [perRow ? batch : 1, length];

  return tf.tidy(() => {
    // q's tables carry the 1/√d attention scale, so attention runs with scale 1.
    const ropeQ = ropeTensors(config, positions, rowShape, base, 1 / Math.sqrt(config.headDim));
    const ropeK = ropeTensors(config, positions, rowShape, base);
    const mask = trainingMask(batch, length, segmentIds, attentionMask);
    let x = tf.gather(model.embedding, tf.reshape(tokenIds, [batch * length])) as tf.Tensor2D; // [B·T, dim]
    for (let layer = 0; layer < config.numLayers; layer++) {
      // A scope per layer frees its intermediates (~200 MB at s15, B·T = 2048) before
      // the next one; what backprop needs is kept by the tape.
      const input = x;
      x = tf.tidy(() => {
        const { q, k, v } = attentionInputs(model, layer, input, [batch, length], ropeQ, ropeK);
        const attention = scaledDotProductAttention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, { mask, scale: 1 }); // [B, T, H·d]
        return finishLayer(model, layer, input, tf.reshape(attention, [batch * length, -1]));
      });
    }
    return tf.reshape(rmsNorm(x, model.finalNorm, config.rmsNormEps), [batch, length, config.hiddenSize]) as tf.Tensor3D;
  });
}

/** hidden [N, dim] → logits [N, vocab] (differentiable; tied or untied classifier). */
export function projectLogits(model: Model, hidden: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => linear(hidden, classifierMatrix(model, true)));
}

/** Logits [B, T, vocab]; with `returnHidden` also the final-normed hidden states. */
export function forward(model: Model, tokenIds: tf.Tensor2D, options: ForwardOptions & { returnHidden: true }): { logits: tf.Tensor3D; hidden: tf.Tensor3D };
export function forward(model: Model, tokenIds: tf.Tensor2D, options?: ForwardOptions): tf.Tensor3D;
export function forward(model: Model, tokenIds: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor3D | { logits: tf.Tensor3D; hidden: tf.Tensor3D } {
  const { returnHidden, ...rest } = options;
  const hidden = forwardHidden(model, tokenIds, rest);
  const [batch, length, dim] = hidden.shape;
  const logits = tf.tidy(() => tf.reshape(projectLogits(model, tf.reshape(hidden, [batch * length, dim])), [batch, length, model.config.vocabSize]) as tf.Tensor3D);
  if (returnHidden) return { logits, hidden };
  hidden.dispose();
  return logits;
}
