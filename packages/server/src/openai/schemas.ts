/**
 * Request bodies of the OpenAI-compatible endpoints, parsed with zod. Unknown fields
 * are ignored (clients send many we do not use), wrong types and out-of-range values
 * are a 400 naming the field. Field names are OpenAI's (snake_case: a wire protocol).
 */
import { z } from 'zod';
import { ApiError } from './errors.js';

const stop = z.union([z.string(), z.array(z.string()).max(16)]).nullish();
const sampling = {
  model: z.string().min(1),
  max_tokens: z.number().int().min(0).nullish(),
  max_completion_tokens: z.number().int().min(0).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  top_k: z.number().int().min(-1).nullish(),
  min_p: z.number().min(0).max(1).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  repetition_penalty: z.number().gt(0).max(10).nullish(),
  seed: z.number().int().nullish(),
  n: z.number().int().min(1).max(16).nullish(),
  stop,
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  ignore_eos: z.boolean().nullish(),
  user: z.string().nullish(),
};

export const completionRequestSchema = z.object({
  ...sampling,
  prompt: z.union([
    z.string(),
    z.array(z.string()).min(1),
    z.array(z.number().int().min(0)).min(1),
    z.array(z.array(z.number().int().min(0)).min(1)).min(1),
  ]),
  echo: z.boolean().nullish(),
  logprobs: z.number().int().min(0).max(20).nullish(),
  suffix: z.string().nullish(),
  best_of: z.number().int().min(1).max(16).nullish(),
});

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const content = z.union([z.string(), z.array(textPart)]).nullish();
const toolCall = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string() }),
});
export const chatMessageSchema = z.discriminatedUnion('role', [
  z.object({ role: z.literal('system'), content, name: z.string().nullish() }),
  z.object({ role: z.literal('developer'), content, name: z.string().nullish() }),
  z.object({ role: z.literal('user'), content, name: z.string().nullish() }),
  z.object({ role: z.literal('assistant'), content, name: z.string().nullish(), tool_calls: z.array(toolCall).nullish() }),
  z.object({ role: z.literal('tool'), content, tool_call_id: z.string().nullish() }),
]);

const functionTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'letters, digits, _ and - (at most 64)'),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish(),
  }),
});

export const chatRequestSchema = z.object({
  ...sampling,
  messages: z.array(chatMessageSchema).min(1),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  tools: z.array(functionTool).max(128).nullish(),
  tool_choice: z
    .union([z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) })])
    .nullish(),
  response_format: z
    .union([
      z.object({ type: z.literal('text') }),
      z.object({ type: z.literal('json_object') }),
      z.object({
        type: z.literal('json_schema'),
        json_schema: z.object({ name: z.string(), schema: z.record(z.string(), z.unknown()).nullish(), strict: z.boolean().nullish() }),
      }),
    ])
    .nullish(),
});

export const tokenizeRequestSchema = z.union([
  z.object({ model: z.string().nullish(), prompt: z.string(), add_special_tokens: z.boolean().nullish() }),
  z.object({ model: z.string().nullish(), messages: z.array(chatMessageSchema).min(1), add_generation_prompt: z.boolean().nullish() }),
]);
export const detokenizeRequestSchema = z.object({ model: z.string().nullish(), tokens: z.array(z.number().int().min(0)) });

export type CompletionRequest = z.infer<typeof completionRequestSchema>;
export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type ChatMessageInput = z.infer<typeof chatMessageSchema>;

/** Parses a body or throws a 400 ApiError naming the first bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ApiError('invalidRequest', 'the request body must be a JSON object', { param: null });
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = issue.path.map(String).join('.') || null;
  const detail = issue.code === 'invalid_union' ? 'has an invalid type or shape' : issue.message;
  throw new ApiError('invalidRequest', `${param ?? 'body'}: ${detail}`, { param });
}
