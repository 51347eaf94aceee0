/**
 * The agent route's SSE stream against a scripted OpenAI-compatible server (the
 * remote-model boundary; the agent, its tools and the console route are real):
 * every step kind arrives, model text streams as deltas, and a prompt longer than
 * the model's context arrives as an error step naming the limit and the tokens.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { resolveHome } from '@chainlm/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runAgentStream } from './agent-stream.js';
import type { RouteContext } from './context.js';

type Reply = string | { status: number; body: unknown };

/** Answers /v1/chat/completions with the next scripted reply, streamed in 8-character chunks. */
function scriptedServer(replies: Reply[]): Server {
  return createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', () => {
      const reply = replies.shift() ?? 'Final Answer: (script exhausted)';
      if (typeof reply !== 'string') {
        response.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const chunk = (delta: object, finish: string | null) => response.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
      for (let start = 0; start < reply.length; start += 8) chunk({ content: reply.slice(start, start + 8) }, null);
      chunk({}, 'stop');
      response.end('data: [DONE]\n\n');
    });
  });
}

function frames(body: string): [string, any][] {
  return body
    .split('\n\n')
    .map((frame) => [/^event: (.*)$/m.exec(frame)?.[1], /^data: (.*)$/m.exec(frame)?.[1]])
    .filter((pair): pair is [string, string] => pair[0] !== undefined && pair[1] !== undefined)
    .map(([event, data]) => [event, JSON.parse(data)]);
}

describe('agent stream', () => {
  const replies: Reply[] = [];
  const upstream = scriptedServer(replies);
  let app: FastifyInstance;
  const run = async (body: object) => frames((await app.inject({ method: 'POST', url: '/agent', payload: body })).body);
  const steps = (all: [string, any][]) => all.filter(([event]) => event === 'step').map(([, step]) => step);

  beforeAll(async () => {
    await new Promise<void>((resolveListen) => upstream.listen(0, '127.0.0.1', resolveListen));
    const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    app = Fastify();
    const context = { home: resolveHome({ CHAINLM_HOME: '/nonexistent-console-home' }) } as RouteContext;
    app.post('/agent', (request, reply) => runAgentStream(request, reply, { url, name: 'scripted' }, context));
  });
  beforeEach(() => replies.splice(0));
  afterAll(async () => {
    await app.close();
    upstream.close();
  });

  it('streams a ReAct run: thought, tool call, observation, answer, with text deltas and done', async () => {
    replies.push('Thought: I must multiply.\nAction: calculator\nAction Input: {"expression": "37 * 43"}', 'Thought: I know it.\nFinal Answer: 1591');
    const all = await run({ task: 'What is 37 * 43?', tools: ['calculator'] });
    expect(steps(all).map((step) => step.type)).toEqual(['thought', 'tool-call', 'observation', 'thought', 'answer']);
    expect(steps(all)[1]).toMatchObject({ tool: 'calculator', input: '{"expression": "37 * 43"}' });
    expect(steps(all)[2]).toMatchObject({ result: { ok: true } });
    expect(JSON.stringify(steps(all)[2].result.output)).toContain('1591');
    expect(all.filter(([event]) => event === 'delta').length).toBeGreaterThan(5);
    expect(all.at(-1)).toEqual(['done', { answer: '1591', stopReason: 'answer', modelCalls: 2, toolCalls: 1 }]);
  });

  it('streams a ReWOO plan and a model reply with no protocol as a format error step', async () => {
    replies.push('Plan: Multiply.\n#E1 = calculator[{"expression": "6 * 7"}]', '42');
    expect(steps(await run({ task: 'What is 6 * 7?', agent: 'rewoo', tools: ['calculator'] })).map((step) => step.type)).toEqual(['plan', 'tool-call', 'observation', 'answer']);
    replies.push('Lily saw a red ball.');
    const all = await run({ task: 'What is 6 * 7?', tools: ['calculator'], maxSteps: 1 });
    expect(steps(all).map((step) => [step.type, step.code])).toEqual([['thought', undefined], ['error', 'format'], ['error', 'step-limit']]);
  });

  it('turns a prompt longer than the context into an error step with the limit and the token counts', async () => {
    const message = 'request "req-1": the prompt has 1779 tokens; the largest context is 256 tokens (16384 fit in the KV cache, maxModelLen 256)';
    replies.push({ status: 400, body: { error: { message, type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } } });
    const all = await run({ task: 'What is 37 * 43?', maxTokens: 100 });
    expect(steps(all)).toEqual([
      expect.objectContaining({
        type: 'error',
        step: 1,
        code: 'context_length_exceeded',
        status: 400,
        message: "the agent's prompt does not fit: it has 1779 tokens, and the limit is the model's context length (maxModelLen 256 tokens)",
        hint: expect.stringContaining('max_position_embeddings ≥ 1879'),
        context: { promptTokens: 1779, contextTokens: 256, maxModelLen: 256, kvCacheTokens: 16384, limit: 'maxModelLen' },
      }),
    ]);
    expect(all.at(-1)).toEqual(['done', { answer: null, stopReason: 'error', modelCalls: 0, toolCalls: 0 }]);
  });
});
