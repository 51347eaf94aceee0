import type { ServingEngine, WeightQuantization } from '@chainlm/engine';
import type { ChatTemplate, ModelConfig, Tokenizer } from '@chainlm/model';

/** One model the server answers for: its engine, and how to turn text into tokens. */
export interface ServedModel {
  /** The name clients put in the `model` field. */
  id: string;
  /** One in-thread Engine, or a ReplicaPool of worker-thread engines. */
  engine: ServingEngine;
  /** The model's config (architecture: how adapter module names map onto its weights). */
  config: ModelConfig;
  /** Engines serving it (1: in this thread). */
  replicas: number;
  tokenizer?: Tokenizer;
  chatTemplate?: ChatTemplate;
  /** Longest prompt + output the engine accepts. */
  contextLength: number;
  /** Unix seconds. */
  created: number;
  ownedBy: string;
  /** Where it was loaded from, for /v1/models and logs. */
  root: string;
  /** Token id → text, computed on the first JSON-mode request. */
  tokenTexts?: string[];
  /** A LoRA adapter on the parent's engine: the engine's adapter name (= id). */
  adapter?: string;
  /** The base model's id, for an adapter. */
  parent?: string;
  /** Weight-only quantization of the served weights, when quantized. */
  quantization?: ServedQuantization;
}

/** Weight-only quantization of the served weights (the engine's loader reports it). */
export type ServedQuantization = WeightQuantization;
