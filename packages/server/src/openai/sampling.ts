import type { SamplingParamsInput } from '@chainlm/engine';
import type { ChatRequest, CompletionRequest } from './schemas.js';

/** OpenAI's snake_case sampling fields → the engine's camelCase params. */
export function toSampling(request: CompletionRequest | ChatRequest, defaults: { maxTokens: number }): SamplingParamsInput {
  const stop = request.stop === undefined || request.stop === null ? [] : typeof request.stop === 'string' ? [request.stop] : request.stop;
  const sampling: SamplingParamsInput = {
    maxTokens: Math.max(1, request.max_completion_tokens ?? request.max_tokens ?? defaults.maxTokens),
    temperature: request.temperature ?? 1,
    topP: request.top_p ?? 1,
    topK: request.top_k !== undefined && request.top_k !== null && request.top_k > 0 ? request.top_k : 0,
    minP: request.min_p ?? 0,
    presencePenalty: request.presence_penalty ?? 0,
    frequencyPenalty: request.frequency_penalty ?? 0,
    repetitionPenalty: request.repetition_penalty ?? 1,
    stop: stop.filter((text) => text.length > 0),
    ignoreEos: request.ignore_eos ?? false,
    n: request.n ?? 1,
  };
  if (request.seed !== undefined && request.seed !== null) sampling.seed = request.seed;
  return sampling;
}
