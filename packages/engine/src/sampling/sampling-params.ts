/**
 * Per-request sampling parameters: one strict schema, defaults in one place,
 * validated once when a request arrives, then frozen. Names are camelCase; the
 * server maps OpenAI's snake_case onto them. The sampling rules themselves
 * (temperature … seed, their ranges and defaults) are @chainlm/model's
 * samplingOptionsSchema; a request adds how much to generate and what to report.
 * Seeds: same seed, same prompt, same params → same tokens (per sample, whatever the batch).
 */
import { z } from 'zod';
import { samplingOptionsSchema } from '@chainlm/model';
import { invalidRequest } from '../errors.js';

export const samplingParamsSchema = samplingOptionsSchema.extend({
  /** Tokens to generate at most (the request also stops at EOS and stop strings/ids). */
  maxTokens: z.number().int().positive().default(128),
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
