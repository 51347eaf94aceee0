/**
 * Model configs: `type: openai` (any OpenAI-compatible endpoint) and, when the
 * engine is available, `type: local` (registered by local-model.ts). `abbr` names
 * the model in tables and output paths.
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
