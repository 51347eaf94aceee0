/**
 * One agent run against a deployment, streamed as SSE: `step` for each thought,
 * plan, tool call, observation, answer or error (the agent package's AgentStep;
 * error steps with a known cause get the limit, the numbers and a hint, see
 * agent-error.ts), `delta` for model text as it streams, then `done` {answer,
 * stopReason, ...}; `error` {message} only if the run itself threw.
 */
import { createAgent, createBuiltinTools, OpenAICompatibleChatModel, agentKinds } from '@chainlm/agent';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { openSse } from '../app/sse.js';
import { parseInput } from '../jobs/parse-job-spec.js';
import { explainAgentError } from '../readers/agent-error.js';
import type { RouteContext } from './context.js';

const agentBody = z.strictObject({
  task: z.string().min(1).max(10_000),
  agent: z.enum(agentKinds).default('react'),
  tools: z.array(z.string()).default(['calculator', 'unit_convert', 'date_time']),
  maxSteps: z.number().int().min(1).max(32).default(6),
  temperature: z.number().min(0).max(2).default(0),
  maxTokens: z.number().int().min(1).max(4096).default(128),
});

export async function runAgentStream(request: FastifyRequest, reply: FastifyReply, deployment: { url: string; name: string }, { home }: RouteContext): Promise<void> {
  const body = parseInput(agentBody, request.body, 'body');
  const tools = createBuiltinTools(body.tools, { datasetsFolder: home.path('datasets') });
  const model = new OpenAICompatibleChatModel({ baseUrl: `${deployment.url}/v1`, model: deployment.name, stream: true, temperature: body.temperature, maxTokens: body.maxTokens });
  const agent = createAgent(body.agent, { model, tools, maxSteps: body.maxSteps, temperature: body.temperature });
  const stream = openSse(request, reply);
  const controller = new AbortController();
  void stream.closed.then(() => controller.abort());
  let id = 0;
  try {
    const result = await agent.run(body.task, {
      signal: controller.signal,
      onStep: (step) => stream.send('step', explainAgentError(step, body.maxTokens), id++),
      onTextDelta: (delta) => stream.send('delta', { text: delta }, id++),
    });
    stream.send('done', { answer: result.answer, stopReason: result.stopReason, modelCalls: result.modelCalls, toolCalls: result.toolCalls }, id++);
  } catch (error) {
    stream.send('error', { message: error instanceof Error ? error.message : String(error) }, id++);
  }
  stream.end();
}
