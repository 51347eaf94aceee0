/**
 * Per-request sampling parameters: one strict schema, defaults in one place,
 * validated once when a request arrives, then frozen. Names are camelCase; the
 * server maps OpenAI's snake_case onto them.
 */
import { z } from 'zod';
import { invalidRequest } from '../errors.js';

export const samplingParamsSchema = z.strictObject({
  /** Tokens to generate at most (the request also stops at EOS and stop strings/ids). */
  maxTokens: z.number().int().positive().default(128),
  /** 0 = greedy (argmax). */
  temperature: z.number().min(0).default(1),
  /** Keep the k most likely tokens; 0 = off. */
  topK: z.number().int().min(0).default(0),
  /** Nucleus: keep the smallest set whose probability reaches topP. */
  topP: z.number().gt(0).max(1).default(1),
  /** Drop tokens less likely than minP × the most likely one. */
  minP: z.number().min(0).max(1).default(0),
  /** HF/CTRL style: divides positive logits (multiplies negative ones) of every prompt or output token seen. */
  repetitionPenalty: z.number().positive().default(1),
  /** OpenAI style, over output tokens: subtract presencePenalty once and frequencyPenalty × count. */
  presencePenalty: z.number().min(-2).max(2).default(0),
  frequencyPenalty: z.number().min(-2).max(2).default(0),
  /** Same seed, same prompt, same params → same tokens (per sample, whatever the batch). */
  seed: z.number().int().optional(),
  stop: z.array(z.string().min(1)).default([]),
  stopTokenIds: z.array(z.number().int().nonnegative()).default([]),
  ignoreEos: z.boolean().default(false),
  /** Independent samples sharing the prompt's KV blocks. */
  n: z.number().int().positive().max(64).default(1),
  /** Top-n log-probabilities per generated token (of the model's raw distribution); 0 = just the chosen token's. */
  logprobs: z.number().int().min(0).max(20).optional(),
  /** Top-n log-probabilities for each prompt token after the first (log-likelihood evaluation). */
  promptLogprobs: z.number().int().min(0).max(20).optional(),
});

export type SamplingParamsInput = z.input<typeof samplingParamsSchema>;
export type SamplingParams = Readonly<z.output<typeof samplingParamsSchema>>;

export function parseSamplingParams(input: SamplingParamsInput = {}): SamplingParams {
  const parsed = samplingParamsSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = ['sampling', ...issue.path.map(String)].join('.');
    throw invalidRequest(field, issue.message, 'see SamplingParams in @chainlm/engine for the allowed range');
  }
  return Object.freeze(parsed.data);
}
