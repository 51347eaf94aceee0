/**
 * A small real HTTP server speaking the OpenAI chat-completions wire format (JSON and
 * SSE streaming, text and tool_calls), answering from a responder function. It is the
 * stand-in for chainlm-serve or a remote provider at the network boundary in tests
 * and in the benchmark script: everything on our side of the socket is the real code.
 */
import Fastify from 'fastify';
import type { ChatResponse } from '../models/chat-model.js';

export interface WireRequest {
  model: string;
  messages: { role: string; content: string | null; tool_calls?: unknown[]; tool_call_id?: string }[];
  tools?: { type: string; function: { name: string } }[];
  stream?: boolean;
  stop?: string[];
}

export interface FakeOpenAIServer {
  url: string;
  requests: WireRequest[];
  close(): Promise<void>;
}

export async function startFakeOpenAIServer(respond: (request: WireRequest, index: number) => ChatResponse, options: { apiKey?: string } = {}): Promise<FakeOpenAIServer> {
  const app = Fastify();
  const requests: WireRequest[] = [];
  app.post('/v1/chat/completions', async (request, reply) => {
    if (options.apiKey && request.headers.authorization !== `Bearer ${options.apiKey}`) {
      return reply.code(401).send({ error: { message: 'invalid api key', type: 'authentication_error' } });
    }
    const body = request.body as WireRequest;
    requests.push(body);
    const response = respond(body, requests.length - 1);
    const toolCalls = response.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
    if (!body.stream) {
      return {
        id: `chatcmpl-${requests.length}`,
        object: 'chat.completion',
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: response.text || null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) }, finish_reason: response.finishReason }],
      };
    }
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (delta: unknown, finish: string | null = null) => reply.raw.write(`data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
    send({ role: 'assistant' });
    for (let at = 0; at < response.text.length; at += 5) send({ content: response.text.slice(at, at + 5) });
    response.toolCalls.forEach((call, index) => {
      send({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] });
      for (let at = 0; at < call.arguments.length; at += 7) send({ tool_calls: [{ index, function: { arguments: call.arguments.slice(at, at + 7) } }] });
    });
    send({}, response.finishReason);
    reply.raw.end('data: [DONE]\n\n');
    return reply;
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: `${url}/v1`, requests, close: () => app.close() };
}
