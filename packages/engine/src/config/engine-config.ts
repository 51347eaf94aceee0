/**
 * The engine's one config schema: defaults in one object, unknown keys rejected,
 * validated once, frozen. CLI flags map onto it by name (--cache-max-entry-count →
 * cacheMaxEntryCount).
 */
import { z } from 'zod';
import { validateConfig } from '@chainlm/core';

export const engineConfigSchema = z.strictObject({
  /** Token slots per KV block. */
  blockSize: z.number().int().positive().default(16),
  /** Token budget of one step (prefill chunks + decodes). */
  maxBatchTokens: z.number().int().positive().default(512),
  /** Sequences running at once. */
  maxSeqs: z.number().int().positive().default(64),
  /** LMDeploy's --cache-max-entry-count: fraction of the memory left after the weights given to the KV cache. */
  cacheMaxEntryCount: z.number().gt(0).max(1).default(0.5),
  /** An explicit KV cache size in GiB; overrides cacheMaxEntryCount. */
  cacheGiB: z.number().positive().optional(),
  /** Never plan more blocks than maxSeqs sequences of maxModelLen tokens can use. */
  capToUsable: z.boolean().default(true),
  /** float32, or int8 with one scale per token and KV head. */
  kvCacheDtype: z.enum(['float32', 'int8']).default('float32'),
  /** Where float K/V live: host (Float32Array pools; what auto picks), wasm-heap (in-place tensor pools read by in-heap block-run copies, wasm only). */
  kvStore: z.enum(['auto', 'wasm-heap', 'host']).default('auto'),
  enablePrefixCaching: z.boolean().default(true),
  /** Longest sequence (prompt + output) accepted; default the model's maxPositionEmbeddings. */
  maxModelLen: z.number().int().positive().optional(),
  /** Print the memory plan to stderr at start. */
  printPlan: z.boolean().default(false),
});

export type EngineConfigInput = z.input<typeof engineConfigSchema>;
export type EngineConfig = Readonly<z.output<typeof engineConfigSchema>>;

export function parseEngineConfig(input: EngineConfigInput = {}, source = '<engine config>'): EngineConfig {
  return validateConfig(input, engineConfigSchema, source) as EngineConfig;
}
