/**
 * The contract between the model's incremental forward and whatever stores K/V.
 *
 * The model flattens one step's new tokens across all sequences into T rows
 * (a prefill chunk of one request and single decode tokens of others may share a
 * step). Per layer it computes q, k, v for those T rows (RoPE already applied) and
 * hands them to the backend, which stores k/v and returns causal attention of each
 * row over its own sequence's cached + new keys. The contiguous cache in this
 * package (generate) and the engine's paged cache both implement it; only the
 * backend knows which row belongs to which sequence and where its blocks live.
 */
import type * as tf from '@tensorflow/tfjs';

export interface AttentionBackend {
  /**
   * @param layer  layer index, 0-based
   * @param q      [T, numHeads, headDim], not yet scaled by 1/√headDim
   *               (scaledDotProductAttention applies the scale by default)
   * @param k      [T, numKvHeads, headDim]
   * @param v      [T, numKvHeads, headDim]
   * @returns      [T, numHeads * headDim]
   * Called inside the model's tf.tidy: the backend must tf.keep() whatever it stores.
   */
  attend(layer: number, q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor2D;
}

export interface StepInput {
  /** New token ids of this step, all sequences flattened: [T]. */
  tokenIds: Int32Array;
  /** Absolute position of each new token in its sequence (for RoPE): [T]. */
  positions: Int32Array;
  attention: AttentionBackend;
  /** Rows whose logits to compute (e.g. each sequence's last token); default all. */
  logitRows?: Int32Array;
  /** Per-row LoRA adapters (many adapters batched on one base); default none. */
  lora?: StepLora;
}

/** One adapted linear module, ready for the forward: y += (x·Aᵀ)·(scale·Bᵀ). */
export interface StepLoraModule {
  /** Aᵀ: [in, rank] */
  a: tf.Tensor2D;
  /** scale·Bᵀ (scale = alpha / rank, folded in once): [rank, out] */
  b: tf.Tensor2D;
}

export interface StepLoraAdapter {
  /** Canonical module name (e.g. `model.layers.0.self_attn.q_proj`) → its factors. */
  modules: ReadonlyMap<string, StepLoraModule>;
}

export interface StepLora {
  /** Each row's adapter, an index into `adapters`; -1 = the base model alone: [T]. */
  rowAdapter: Int32Array;
  adapters: readonly StepLoraAdapter[];
}
