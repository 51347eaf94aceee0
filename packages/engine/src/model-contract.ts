/**
 * The engine's view of the model. `AttentionBackend`, `StepInput` and the per-row
 * LoRA types are @chainlm/model's own contract (model/attention-backend.ts),
 * re-exported so engine files keep one import path. `StepModel` is all the engine
 * needs of a model: its shape and one incremental forward.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { StepInput } from '@chainlm/model';

export type { AttentionBackend, StepInput, StepLora, StepLoraAdapter, StepLoraModule } from '@chainlm/model';

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
  /** Set when the model can no longer run (a tensor-parallel rank died); the Engine then refuses new requests. */
  readonly failure?: Error;
}

/** What the engine needs of a tokenizer (@chainlm/model's Tokenizer satisfies it). */
export interface TokenizerLike {
  readonly eosId: number | null;
  encode(text: string, options?: { addSpecialTokens?: boolean }): number[];
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  createStreamDecoder(options?: { skipSpecialTokens?: boolean }): { push(id: number): string; flush(): string };
}
