/**
 * The training config: one strict zod schema for YAML files, CLI flags and API calls
 * (XTuner-like: model, data, method, optimizer, schedule, loop sizes). Defaults live
 * here and nowhere else; unknown keys are errors with their file and line.
 */
import { z } from 'zod';
import { applyPreset } from './presets.js';

export const methods = ['pretrain', 'sft', 'lora', 'qlora'] as const;
export type TrainMethod = (typeof methods)[number];

export const loraModuleNames = [
  'q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj',
  // InternLM2 names: fused qkv, output, and the three FFN projections.
  'wqkv', 'wo', 'w1', 'w2', 'w3',
] as const;

const modelSchema = z
  .strictObject({
    /** An HF-format folder (config.json + safetensors) to fine-tune or continue. */
    path: z.string().min(1).optional(),
    /** From scratch: an architecture and a size preset of the model package. */
    architecture: z.enum(['llama', 'internlm', 'internlm2', 'qwen2']).default('llama'),
    size: z.enum(['tiny', 'small', 's15', 's110']).optional(),
    /** From scratch: changes to the size preset's shape (tests, benchmarks). */
    shape: z
      .strictObject({
        hiddenSize: z.number().int().positive().optional(),
        intermediateSize: z.number().int().positive().optional(),
        numLayers: z.number().int().positive().optional(),
        numHeads: z.number().int().positive().optional(),
        numKvHeads: z.number().int().positive().optional(),
        tieWordEmbeddings: z.boolean().optional(),
      })
      .default({}),
    /** Context length for from-scratch models; default the size preset's. */
    maxSeqLen: z.number().int().positive().optional(),
    /** Vocabulary size for from-scratch models; default the tokenizer's. */
    vocabSize: z.number().int().positive().optional(),
  })
  .refine((model) => model.path !== undefined || model.size !== undefined, {
    message: 'give model.path (an HF folder) or model.size (tiny, small, s15, s110) for a model from scratch',
  });

const dataSchema = z
  .strictObject({
    /** A folder of packed Arrow IPC shards written by chainlm-data. */
    shards: z.string().min(1).optional(),
    /** A dataset name in CHAINLM_HOME or a text/JSONL file, tokenized and packed on the fly. */
    dataset: z.string().min(1).optional(),
    /** Tokenizer folder or file for `dataset`; default: train a BPE tokenizer on it. */
    tokenizer: z.string().min(1).optional(),
    /** BPE vocabulary size when a tokenizer is trained for the run. */
    tokenizerVocabSize: z.number().int().min(260).default(512),
    /** Positions the model trains on per row (the context length); packed rows hold seqLen + 1 tokens (PackedRows' rowWidth), the extra one being the last target. */
    seqLen: z.number().int().min(2).default(128),
    /** Fraction of rows held out for validation (when the data has no validation split). */
    valFraction: z.number().gt(0).lt(1).default(0.05),
    /** Instruction data: mask prompt tokens out of the loss. */
    promptLoss: z.boolean().default(false),
  })
  .refine((data) => (data.shards === undefined) !== (data.dataset === undefined), {
    message: 'give exactly one of data.shards (packed shards folder) and data.dataset (dataset name or file)',
  });

const loraSchema = z.strictObject({
  rank: z.number().int().positive().default(8),
  alpha: z.number().positive().default(16),
  dropout: z.number().min(0).lt(1).default(0),
  targetModules: z.array(z.enum(loraModuleNames)).min(1).default(['q_proj', 'v_proj']),
  /** QLoRA only: bits of the frozen base (4 = int4 with per-group scales, 8 = int8). */
  quantBits: z.union([z.literal(4), z.literal(8)]).default(4),
  /** QLoRA only: weights per scale group along the input dimension. */
  groupSize: z.number().int().positive().default(32),
});

const optimizerSchema = z.strictObject({
  name: z.literal('adamw').default('adamw'),
  lr: z.number().positive().default(1e-3),
  betas: z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)]).default([0.9, 0.95]),
  eps: z.number().positive().default(1e-8),
  /** Decoupled weight decay (AdamW); never applied to norms, biases or 1-D params. */
  weightDecay: z.number().min(0).default(0.1),
});

const scheduleSchema = z.strictObject({
  warmupSteps: z.number().int().min(0).default(0),
  decay: z.enum(['cosine', 'linear', 'constant']).default('cosine'),
  /** Floor of the decay, as a fraction of optimizer.lr. */
  minLrRatio: z.number().min(0).max(1).default(0.1),
});

export const trainConfigSchema = z.preprocess(
  applyPreset,
  z
    .strictObject({
      /** Run name prefix; the run id adds a timestamp. */
      name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'use letters, digits, ".", "_" or "-"').default('run'),
      preset: z.enum(['tiny', 'small']).optional(),
      model: modelSchema,
      data: dataSchema,
      method: z.enum(methods).default('pretrain'),
      lora: loraSchema.default(loraSchema.parse({})),
      optimizer: optimizerSchema.default(optimizerSchema.parse({})),
      schedule: scheduleSchema.default(scheduleSchema.parse({})),
      /** Rows per optimizer step per accumulation micro-batch (split across workers). */
      batchSize: z.number().int().positive().default(8),
      gradAccumulation: z.number().int().positive().default(1),
      /** Global-norm gradient clipping; 0 turns it off. */
      clipGradNorm: z.number().min(0).default(1),
      maxSteps: z.number().int().positive().optional(),
      epochs: z.number().positive().optional(),
      evalInterval: z.number().int().positive().default(50),
      /** Validation batches per evaluation (each of batchSize rows). */
      evalBatches: z.number().int().positive().default(4),
      checkpointInterval: z.number().int().positive().default(100),
      keepLast: z.number().int().positive().default(2),
      seed: z.number().int().min(0).default(0),
      /** Data-parallel worker threads; 1 trains on the main thread. */
      workers: z.number().int().positive().max(64).default(1),
    })
    .refine((config) => config.maxSteps !== undefined || config.epochs !== undefined, {
      message: 'give maxSteps or epochs',
      path: ['maxSteps'],
    })
    .refine((config) => config.batchSize % config.workers === 0, {
      message: 'batchSize must be a multiple of workers (each worker takes an equal slice)',
      path: ['batchSize'],
    }),
);

export type TrainConfig = z.infer<typeof trainConfigSchema>;
export type TrainConfigInput = z.input<typeof trainConfigSchema>;
export type LoraConfig = TrainConfig['lora'];
export type OptimizerConfig = TrainConfig['optimizer'];
export type ScheduleConfig = TrainConfig['schedule'];
