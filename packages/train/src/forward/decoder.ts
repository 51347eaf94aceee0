/**
 * The training forward of the decoder, up to the final RMSNorm, assembled from the
 * model package's own primitives (rmsNorm, linear, RoPE, masks, attention) — the
 * same ops in the same order as @chainlm/model's `forward` (a test asserts equal
 * logits), with two things training needs that `forward` does not offer:
 *  - every linear projection goes through `project(module, x)`, which consults a
 *    per-module hook: y = x·W (+bias) + delta(x), where W may come from the hook
 *    (QLoRA's on-the-fly dequantization) and delta is LoRA's scale·dropout(x)·a·b;
 *  - it returns the hidden states [N, dim] instead of logits [N, vocab], so the
 *    loss can run the classifier in row chunks (fused-loss.ts) and never hold the
 *    [batch·seq, vocab] logits (1 GiB+ for s15 at batch 8 × 256).
 */
import { applyRope, linear, packedPositions, rmsNorm, ropeBase, ropeTensors, scaledDotProductAttention, trainingMask, type Model } from '@chainlm/model';
import { tf } from '@chainlm/runtime';

export interface LinearHook {
  /** Replaces the base weight [in, out] (e.g. dequantized on the fly). */
  weight?: () => tf.Tensor2D;
  /** Added to the projection: x [N, in] → [N, out]. */
  delta?: (x: tf.Tensor2D) => tf.Tensor2D;
}

/** Module name (canonical HF, e.g. `model.layers.0.self_attn.q_proj`) → hook. */
export type LinearHooks = Map<string, LinearHook>;

/**
 * x·W for a W that gets no gradient (a frozen or dequantized base): the model's
 * `linear` would also compute dW in backprop, a third of the layer's FLOPs for nothing.
 */
export function frozenLinear(x: tf.Tensor2D, weight: tf.Tensor2D): tf.Tensor2D {
  const op = tf.customGrad(((input: tf.Tensor, save: tf.GradSaveFunc) => {
    save([weight]);
    return {
      value: tf.matMul(input as tf.Tensor2D, weight),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.matMul(dy as tf.Tensor2D, tf.transpose(saved[0] as tf.Tensor2D))],
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x) as tf.Tensor2D;
}

function project(hooks: LinearHooks, module: string, x: tf.Tensor2D, weight: tf.Tensor, bias?: tf.Tensor): tf.Tensor2D {
  const hook = hooks.get(module);
  const supplied = hook?.weight?.();
  const frozen = supplied !== undefined || (weight instanceof tf.Variable && !weight.trainable);
  let y = frozen ? frozenLinear(x, (supplied ?? weight) as tf.Tensor2D) : linear(x, weight as tf.Tensor2D);
  if (bias) y = tf.add(y, bias);
  if (hook?.delta) y = tf.add(y, hook.delta(x));
  return y;
}

/** tokenIds [B, T] int32 → final-normed hidden states [B·T, dim]. Call inside tf.tidy. */
export function decoderHidden(model: Model, hooks: LinearHooks, tokenIds: tf.Tensor2D, segmentIds?: ArrayLike<number>): tf.Tensor2D {
  const { config } = model;
  const { numHeads, numKvHeads, headDim, rmsNormEps } = config;
  const [batch, length] = tokenIds.shape;
  const positions = packedPositions(segmentIds ? batch : 1, length, segmentIds);
  let longest = 0;
  for (let index = 0; index < positions.length; index++) longest = Math.max(longest, positions[index] + 1);
  const base = ropeBase(config, longest);
  const rowShape = [segmentIds ? batch : 1, length];
  // q's tables carry the 1/√d attention scale, so attention runs with scale 1.
  const ropeQ = ropeTensors(config, positions, rowShape, base, 1 / Math.sqrt(headDim));
  const ropeK = ropeTensors(config, positions, rowShape, base);
  const mask = trainingMask(batch, length, segmentIds);
  let x = tf.gather(model.embedding, tf.reshape(tokenIds, [batch * length])) as tf.Tensor2D; // [B·T, dim]
  for (let layer = 0; layer < config.numLayers; layer++) {
    const weights = model.layers[layer];
    const prefix = `model.layers.${layer}.`;
    const h = rmsNorm(x, weights.attentionNorm, rmsNormEps);
    const q = tf.reshape(project(hooks, `${prefix}self_attn.q_proj`, h, weights.q, weights.qBias), [batch, length, numHeads, headDim]);
    const k = tf.reshape(project(hooks, `${prefix}self_attn.k_proj`, h, weights.k, weights.kBias), [batch, length, numKvHeads, headDim]);
    const v = tf.reshape(project(hooks, `${prefix}self_attn.v_proj`, h, weights.v, weights.vBias), [batch, length, numKvHeads, headDim]);
    const attention = scaledDotProductAttention(
      applyRope(q, ropeQ, model.rotation) as tf.Tensor4D,
      applyRope(k, ropeK, model.rotation) as tf.Tensor4D,
      v as tf.Tensor4D,
      { mask, scale: 1 },
    ); // [B, T, H·d]
    const afterAttention = tf.add(x, project(hooks, `${prefix}self_attn.o_proj`, tf.reshape(attention, [batch * length, -1]) as tf.Tensor2D, weights.o, weights.oBias)) as tf.Tensor2D;
    const m = rmsNorm(afterAttention, weights.mlpNorm, rmsNormEps);
    const gate = project(hooks, `${prefix}mlp.gate_proj`, m, weights.gate);
    const up = project(hooks, `${prefix}mlp.up_proj`, m, weights.up);
    x = tf.add(afterAttention, project(hooks, `${prefix}mlp.down_proj`, tf.mul(tf.mul(gate, tf.sigmoid(gate)), up) as tf.Tensor2D, weights.down)) as tf.Tensor2D;
  }
  return rmsNorm(x, model.finalNorm, rmsNormEps); // [B·T, dim]
}
