/**
 * POST /v1/chat/completions: messages rendered with the model's chat template, tool
 * calls parsed from the reply into `tool_calls`, logprobs in chat's shape, SSE
 * streaming. With `tools`, a streamed reply is held until it is complete, because
 * only then is it known whether it is a tool call or text.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { CompletionOutput, GeneratedLogprob } from '@chainlm/engine';
import type { ChatMessage } from '@chainlm/model';
import { runEngineRequest } from '../app/run-request.js';
import { SseWriter } from '../app/sse.js';
import type { ServerContext } from '../app/context.js';
import type { ServedModel } from '../app/served-model.js';
import { JsonConstraint, tokenTextsOf } from '../decoding/json-constraint.js';
import { parseToolCalls } from '../decoding/tool-calls.js';
import { ApiError } from '../openai/errors.js';
import { chatLogprobs } from '../openai/logprobs.js';
import { toSampling } from '../openai/sampling.js';
import { chatRequestSchema, parseBody, type ChatRequest } from '../openai/schemas.js';

export function chatRoute(app: FastifyInstance, context: ServerContext): void {
  app.post('/v1/chat/completions', async (request, reply) => {
    const body = parseBody(chatRequestSchema, request.body);
    const model = context.model(body.model);
    const promptTokenIds = renderPrompt(body, model);
    const id = `chatcmpl-${randomBytes(12).toString('hex')}`;
    const created = Math.floor(Date.now() / 1000);
    const sampling = toSampling(body, context.defaults);
    if (body.logprobs) sampling.logprobs = body.top_logprobs ?? 0;
    const tools = body.tool_choice === 'none' ? [] : (body.tools ?? []);
    const holdForTools = tools.length > 0;
    const sse = body.stream ? new SseWriter(reply) : undefined;
    const chunk = (choices: unknown[], usage?: unknown) => ({ id, object: 'chat.completion.chunk', created, model: model.id, system_fingerprint: null, choices, ...(usage ? { usage } : {}) });
    const started = new Set<number>();
    const tokenText = (tokenId: number) => model.tokenizer?.decode([tokenId]) ?? `<${tokenId}>`;

    const constraint = body.response_format && body.response_format.type !== 'text' ? jsonConstraintFor(model) : undefined;
    const finish = await runEngineRequest(model.engine, { promptTokenIds, sampling, ...(constraint ? { constraint } : {}), ...(model.adapter ? { adapter: model.adapter } : {}) }, {
      reply,
      timeoutMs: context.requestTimeoutMs,
      onDelta: (event) => {
        if (!sse || holdForTools) return;
        const role = started.has(event.index) ? {} : { role: 'assistant' };
        started.add(event.index);
        const logprobs = body.logprobs && event.logprobs ? chatLogprobs(event.logprobs, tokenText) : null;
        sse.send(chunk([{ index: event.index, delta: { ...role, content: event.text }, logprobs, finish_reason: null }]));
      },
    });

    context.observe(model.id, finish.metrics);
    const toolNames = tools.map((tool) => tool.function.name);
    const forced = typeof body.tool_choice === 'object' && body.tool_choice !== null ? body.tool_choice.function.name : undefined;
    const choices = finish.outputs.map((output) => {
      const parsed = holdForTools ? parseToolCalls(output.text, { knownTools: forced ? [forced] : toolNames, bareJson: forced !== undefined || body.tool_choice === 'required' }) : { content: output.text, toolCalls: [] };
      const finishReason = parsed.toolCalls.length > 0 ? 'tool_calls' : output.finishReason === 'abort' ? 'stop' : output.finishReason;
      const message = { role: 'assistant' as const, content: parsed.content, ...(parsed.toolCalls.length > 0 ? { tool_calls: parsed.toolCalls } : {}) };
      const logprobs = body.logprobs ? chatLogprobs(withoutStopToken(output), tokenText) : null;
      return { index: output.index, message, logprobs, finish_reason: finishReason };
    });
    const completionTokens = finish.outputs.reduce((sum, output) => sum + output.tokenIds.length, 0);
    const usage = { prompt_tokens: finish.promptTokenIds.length, completion_tokens: completionTokens, total_tokens: finish.promptTokenIds.length + completionTokens };
    if (!sse) return { id, object: 'chat.completion', created, model: model.id, system_fingerprint: null, choices, usage };

    for (const choice of choices) {
      if (holdForTools) {
        const delta = choice.message.tool_calls
          ? { role: 'assistant', content: choice.message.content, tool_calls: choice.message.tool_calls.map((call, index) => ({ index, ...call })) }
          : { role: 'assistant', content: choice.message.content };
        sse.send(chunk([{ index: choice.index, delta, logprobs: null, finish_reason: null }]));
      } else if (!started.has(choice.index)) {
        sse.send(chunk([{ index: choice.index, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }]));
      }
      sse.send(chunk([{ index: choice.index, delta: {}, logprobs: null, finish_reason: choice.finish_reason }]));
    }
    if (body.stream_options?.include_usage) sse.send(chunk([], usage));
    sse.done();
    return reply;
  });
}

/** JSON mode: only tokens that keep the reply a valid JSON object, then end-of-sequence. */
function jsonConstraintFor(model: ServedModel): JsonConstraint {
  if (!model.tokenizer) throw new ApiError('invalidRequest', `model "${model.id}" has no tokenizer: JSON mode is not available`, { param: 'response_format' });
  model.tokenTexts ??= tokenTextsOf(model.tokenizer);
  const configured = model.engine.model.config.eosTokenId;
  const eosIds = [...(configured === null ? [] : Array.isArray(configured) ? configured : [configured]), ...(model.tokenizer.eosId === null ? [] : [model.tokenizer.eosId])];
  return new JsonConstraint({ tokenTexts: model.tokenTexts, eosIds, requireObject: true });
}

/** The generated entries minus the stop token that ended the reply (its text is not in the content). */
function withoutStopToken(output: CompletionOutput): GeneratedLogprob[] {
  const entries = output.logprobs ?? [];
  const last = entries[entries.length - 1];
  return typeof output.stopReason === 'number' && last?.tokenId === output.stopReason ? entries.slice(0, -1) : entries;
}

/**
 * OpenAI sends a call's arguments as JSON text; chat templates (transformers' and
 * ours) expect an object, as vLLM passes them. Text that is not a JSON object stays text.
 */
function templateToolCalls(message: ChatRequest['messages'][number]): { tool_calls?: unknown[] } {
  if (message.role !== 'assistant' || !message.tool_calls) return {};
  return {
    tool_calls: message.tool_calls.map((call) => {
      let parsed: unknown = call.function.arguments;
      try {
        parsed = JSON.parse(call.function.arguments);
      } catch {
        // not JSON: the template gets the text as the model wrote it
      }
      const argumentsValue = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed : call.function.arguments;
      return { ...call, function: { ...call.function, arguments: argumentsValue } };
    }),
  };
}

/** Renders the messages with the model's chat template and tokenizes the prompt. */
export function renderPrompt(body: Pick<ChatRequest, 'messages' | 'tools'>, model: ServedModel): number[] {
  if (!model.tokenizer || !model.chatTemplate) {
    throw new ApiError('invalidRequest', `model "${model.id}" has no tokenizer or chat template: use /v1/completions with token ids`, { param: 'messages' });
  }
  const messages = body.messages.map((message) => ({ ...message, role: message.role === 'developer' ? 'system' : message.role, ...templateToolCalls(message) })) as ChatMessage[];
  const text = model.chatTemplate.render(messages, { addGenerationPrompt: true, ...(body.tools ? { tools: body.tools } : {}) });
  return model.tokenizer.encode(text, { addSpecialTokens: false });
}
