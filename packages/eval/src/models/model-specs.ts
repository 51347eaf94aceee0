/**
 * Model configs: `type: openai` (any OpenAI-compatible endpoint) and `type:
 * local` (an HF folder run in-process through @chainlm/engine). `abbr` names the
 * model in tables and output paths.
 */
import { z } from 'zod';
import { positiveInt, type ComponentSpec } from '../config/component.js';
import { NamedRegistry } from '../registry.js';
import type { EvalModel } from './eval-model.js';
import { OpenAICompatibleModel } from './openai-compatible-model.js';

export type ModelSpec<O extends { type: string }> = ComponentSpec<O, Promise<EvalModel>>;

export const models = new NamedRegistry<ModelSpec<any>>('model type');

export const abbrSchema = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, _ . - only');

export const openaiModelSchema = z.strictObject({
  type: z.literal('openai'),
  abbr: abbrSchema.optional(),
  /** API root, e.g. http://127.0.0.1:8000/v1 */
  baseUrl: z.string().url(),
  /** The `model` field sent with each request. */
  model: z.string().min(1),
  mode: z.enum(['completions', 'chat']).default('completions'),
  apiKey: z.string().optional(),
  /** Name of an environment variable holding the API key (keeps keys out of configs). */
  apiKeyEnv: z.string().optional(),
  concurrency: positiveInt.default(4),
  maxRetries: z.number().int().nonnegative().default(5),
  retryBaseMs: positiveInt.default(500),
  retryMaxMs: positiveInt.default(20_000),
  timeoutMs: positiveInt.default(120_000),
  rateLimit: z.strictObject({ requestsPerSecond: z.number().positive(), burst: positiveInt.default(1) }).optional(),
  echoMaxTokens: z.union([z.literal(0), z.literal(1)]).default(0),
  /** How echoed tokens are split into context and continuation (see openai-compatible-model.ts). */
  continuationSplit: z.enum(['token-count', 'text-offset']).default('token-count'),
  embeddings: z.boolean().default(false),
  registryId: z.string().optional(),
});
export type OpenAIModelConfig = z.infer<typeof openaiModelSchema>;

export function openaiModelName(config: OpenAIModelConfig): string {
  return config.abbr ?? config.model.replace(/[^A-Za-z0-9_.-]+/g, '-');
}

models.register('openai', {
  type: 'openai',
  schema: openaiModelSchema,
  create: async (config: OpenAIModelConfig) =>
    new OpenAICompatibleModel({
      ...config,
      name: openaiModelName(config),
      apiKey: config.apiKey ?? (config.apiKeyEnv ? process.env[config.apiKeyEnv] : undefined),
    }),
});

export const localModelSchema = z.strictObject({
  type: z.literal('local'),
  abbr: abbrSchema.optional(),
  /** HF model folder: config.json, safetensors weights, tokenizer. */
  path: z.string(),
  /** PEFT LoRA adapter folder, merged into the weights. */
  adapter: z.string().optional(),
  /** Engine settings (see @chainlm/engine's EngineConfig), validated by the engine. */
  engine: z.record(z.string(), z.unknown()).optional(),
  registryId: z.string().optional(),
});
export type LocalModelConfig = z.infer<typeof localModelSchema>;

models.register('local', {
  type: 'local',
  schema: localModelSchema,
  create: async (config: LocalModelConfig) => {
    // Imported on use: it loads TensorFlow.js, which HTTP-only runs do not need.
    const { loadLocalModel } = await import('./local-model.js');
    const name = config.abbr ?? config.path.split(/[\\/]/).filter(Boolean).pop()!.replace(/[^A-Za-z0-9_.-]+/g, '-');
    return loadLocalModel(config.path, { name, adapter: config.adapter, engine: config.engine, registryId: config.registryId });
  },
});
