export { createServer, serverOptionsSchema, type ServerOptionsInput } from './app/create-server.js';
export type { ServedModel } from './app/served-model.js';
export { createProxy, type ProxyOptions, type UpstreamState } from './proxy/proxy.js';
export { ApiError, errorCatalogue, type OpenAIErrorBody } from './openai/errors.js';
export { JsonPrefix } from './decoding/json-prefix.js';
export { parseToolCalls, type ParsedToolCall } from './decoding/tool-calls.js';
export { ApiKeys, readApiKeysFile, isLoopbackHost } from './security/api-keys.js';
export { RateLimiter } from './security/rate-limit.js';
export { loadServedModel, type LoadServedModelOptions } from './app/load-model.js';
