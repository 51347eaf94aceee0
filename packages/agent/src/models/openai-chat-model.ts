/**
 * A ChatModel over any OpenAI-compatible /chat/completions endpoint (chainlm-serve,
 * vLLM, LMDeploy, OpenAI itself), by fetch. Function calling uses `tools` /
 * `tool_calls`; ReAct agents just use text. With `stream: true` the SSE deltas are
 * folded into the same ChatResponse (tool-call fragments joined by index) while text
 * deltas go to `onTextDelta`. Responses are parsed with a schema, not trusted.
 */
import { z } from 'zod';
import { AgentError } from '../errors.js';
import type { ChatMessage, ChatModel, ChatOptions, ChatRequest, ChatResponse, ChatToolCall } from './chat-model.js';
import { EventSourceParserStream } from 'eventsource-parser/stream';

export interface OpenAIChatModelOptions {
  /** Base URL such as http://127.0.0.1:8000/v1 (a bare host gets /v1), or the full /chat/completions URL. */
  baseUrl: string;
  /** Model name sent in the request body. */
  model?: string;
  apiKey?: string;
  stream?: boolean;
  timeoutMs?: number;
  temperature?: number;
  maxTokens?: number;
}

const wireToolCall = z.object({ id: z.string().optional(), type: z.string().optional(), function: z.object({ name: z.string(), arguments: z.string().nullish() }) });
const completionSchema = z.object({
  choices: z.array(z.object({
    message: z.object({ content: z.string().nullish(), tool_calls: z.array(wireToolCall).nullish() }),
    finish_reason: z.string().nullish(),
  })).min(1),
});
const chunkSchema = z.object({
  choices: z.array(z.object({
    delta: z.object({
      content: z.string().nullish(),
      tool_calls: z.array(z.object({ index: z.number().optional(), id: z.string().nullish(), function: z.object({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish() })).nullish(),
    }).optional(),
    finish_reason: z.string().nullish(),
  })),
});

export function chatCompletionsUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.pathname.endsWith('/chat/completions')) return url.href;
  const path = url.pathname === '/' || url.pathname === '' ? '/v1' : url.pathname.replace(/\/$/, '');
  return new URL(`${path}/chat/completions`, url.origin).href;
}

export function toWireMessage(message: ChatMessage): Record<string, unknown> {
  const wire: Record<string, unknown> = { role: message.role, content: message.content };
  if (message.toolCalls?.length) {
    wire.tool_calls = message.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  }
  if (message.toolCallId) wire.tool_call_id = message.toolCallId;
  return wire;
}

export class OpenAICompatibleChatModel implements ChatModel {
  readonly name: string;
  private readonly url: string;

  constructor(private readonly options: OpenAIChatModelOptions) {
    this.url = chatCompletionsUrl(options.baseUrl);
    this.name = options.model ?? this.url;
  }

  async chat(request: ChatRequest, options: ChatOptions = {}): Promise<ChatResponse> {
    const stream = this.options.stream ?? false;
    const body: Record<string, unknown> = {
      model: this.options.model ?? 'default',
      messages: request.messages.map(toWireMessage),
      stream,
      temperature: request.temperature ?? this.options.temperature ?? 0,
    };
    if (request.tools?.length) body.tools = request.tools.map((tool) => ({ type: 'function', function: tool }));
    if (request.stop?.length) body.stop = request.stop;
    const maxTokens = request.maxTokens ?? this.options.maxTokens;
    if (maxTokens !== undefined) body.max_tokens = maxTokens;
    const response = await this.post(body, options.signal);
    if (!stream) {
      const parsed = parseBody(completionSchema, await response.json().catch(() => null), this.url);
      const choice = parsed.choices[0];
      const text = choice.message.content ?? '';
      options.onTextDelta?.(text);
      const toolCalls = (choice.message.tool_calls ?? []).map((call, index) => ({ id: call.id ?? `call_${index}`, name: call.function.name, arguments: call.function.arguments ?? '' }));
      return { text, toolCalls, finishReason: choice.finish_reason ?? 'stop' };
    }
    return readStream(response, this.url, options.onTextDelta);
  }

  private async post(body: unknown, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 120_000);
    let response: Response;
    try {
      response = await fetch(this.url, { method: 'POST', headers, body: JSON.stringify(body), signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new AgentError('model-unreachable', `cannot reach the model at ${this.url}: ${cause}`, 'start the server (e.g. `chainlm-serve MODEL`) or fix --model');
    }
    if (!response.ok) {
      const text = (await response.text().catch(() => '')).slice(0, 300);
      throw new AgentError('model-http', `model at ${this.url} answered HTTP ${response.status}: ${text}`, response.status === 401 ? 'pass the right --api-key' : 'check the model name and the server log');
    }
    return response;
  }
}

function parseBody<T>(schema: z.ZodType<T>, value: unknown, url: string): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new AgentError('model-bad-response', `model at ${url} sent a response that is not an OpenAI chat completion: ${parsed.error.issues[0]?.message}`, 'is --model pointing at an OpenAI-compatible /v1 endpoint?');
}

async function readStream(response: Response, url: string, onTextDelta?: (delta: string) => void): Promise<ChatResponse> {
  let text = '';
  let finishReason = 'stop';
  const calls: ChatToolCall[] = [];
  for await (const data of sseData(response)) {
    if (data === '[DONE]') break;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      throw new AgentError('model-bad-response', `model at ${url} streamed a non-JSON event: ${data.slice(0, 80)}`);
    }
    for (const choice of parseBody(chunkSchema, json, url).choices) {
      if (choice.finish_reason) finishReason = choice.finish_reason;
      const content = choice.delta?.content;
      if (content) {
        text += content;
        onTextDelta?.(content);
      }
      for (const fragment of choice.delta?.tool_calls ?? []) {
        const index = fragment.index ?? calls.length;
        calls[index] ??= { id: '', name: '', arguments: '' };
        if (fragment.id) calls[index].id = fragment.id;
        if (fragment.function?.name) calls[index].name += fragment.function.name;
        if (fragment.function?.arguments) calls[index].arguments += fragment.function.arguments;
      }
    }
  }
  return { text, toolCalls: calls.filter(Boolean).map((call, index) => ({ ...call, id: call.id || `call_${index}` })), finishReason };
}

/** Yields the `data:` payloads of a server-sent-events body (parsed by eventsource-parser, the one SSE parser chainlm uses). */
export async function* sseData(response: Response): AsyncGenerator<string> {
  if (!response.body) return;
  const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  for await (const event of events as unknown as AsyncIterable<{ data: string }>) if (event.data) yield event.data;
}
