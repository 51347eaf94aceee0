/**
 * @chainlm/model: LLaMA-family decoders (Llama, InternLM, InternLM2, Qwen2) in
 * TensorFlow.js — configs, the training and incremental forwards, generation,
 * and (from their own folders) weight I/O and tokenizers.
 */
export * from './config/index.js';
export * from './model/index.js';
export * from './generate/index.js';
export * from './io/index.js';
export * from './quant/index.js';
export * from './tokenizer/index.js';
export * from './tokenizer/index.js';
