/**
 * The engine's view of the model. `AttentionBackend` and `StepInput` mirror the
 * contract committed in packages/model/src/model/attention-backend.ts (structurally
 * identical, so the model accepts our backend); they are re-declared here only
 * until @chainlm/model publishes its index. `StepModel` is all the engine needs of a
 * model: its shape and one incremental forward.
 */
import type * as tfTypes from '@tensorflow/tfjs';

export interface AttentionBackend {
  attend(layer: number, q: tfTypes.Tensor3D, k: tfTypes.Tensor3D, v: tfTypes.Tensor3D): tfTypes.Tensor2D;
}

export interface StepInput {
  tokenIds: Int32Array;
  positions: Int32Array;
  attention: AttentionBackend;
  logitRows?: Int32Array;
  /** Per-row LoRA adapters (mirrors @chainlm/model's StepLora). */
  lora?: StepLora;
}

export interface StepLoraModule {
  /** Aᵀ: [in, rank] */
  a: tfTypes.Tensor2D;
  /** scale·Bᵀ: [rank, out] */
  b: tfTypes.Tensor2D;
}

export interface StepLoraAdapter {
  modules: ReadonlyMap<string, StepLoraModule>;
}

export interface StepLora {
  /** Each row's adapter, an index into `adapters`; -1 = base: [T]. */
  rowAdapter: Int32Array;
  adapters: readonly StepLoraAdapter[];
}

export interface StepModelShape {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  maxPositionEmbeddings: number;
  bosTokenId: number | null;
  eosTokenId: number | number[] | null;
  /** MLP width, when known (checks LoRA factor shapes). */
  intermediateSize?: number;
}

export interface StepModel {
  readonly config: StepModelShape;
  /** Bytes of the weights as held for compute (for the memory plan). */
  readonly weightBytes: number;
  /** Logits [logitRows.length (or all rows), vocabSize]. */
  forward(input: StepInput): tfTypes.Tensor2D;
  /** Whether `forward` applies StepInput.lora (LoRA adapters can be loaded). */
  readonly acceptsLora?: boolean;
}

/** What the engine needs of a tokenizer (@chainlm/model's Tokenizer satisfies it). */
export interface TokenizerLike {
  readonly eosId: number | null;
  encode(text: string, options?: { addSpecialTokens?: boolean }): number[];
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  createStreamDecoder(options?: { skipSpecialTokens?: boolean }): { push(id: number): string; flush(): string };
}
