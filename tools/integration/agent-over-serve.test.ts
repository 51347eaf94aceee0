/**
 * The agent loop end to end over the wire: chainlm-serve serves a tiny model trained
 * (in this test) to call the calculator and then state the result; the function-calling
 * agent talks to it with the OpenAI protocol, runs the real calculator tool, and
 * answers. Every part is real: model, engine, server, HTTP, agent, tool.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionCallingAgent, OpenAICompatibleChatModel, createBuiltinTools, formatObservation, invokeTool } from '@chainlm/agent';
import { createServer, loadServedModel, makeTinyChatModel } from '@chainlm/server';

const system = 'You are a helpful assistant. Call the provided functions whenever they help (always use the calculator for arithmetic), then answer the user.';
const call = '<tool_call>\n{"name": "calculator", "arguments": {"expression": "17 * 3"}}\n</tool_call>';
const tools = [{ type: 'function', function: { name: 'calculator' } }];

let app: FastifyInstance;
let baseUrl: string;

beforeAll(async () => {
  const [calculator] = createBuiltinTools(['calculator']);
  const observation = formatObservation(await invokeTool(calculator, { expression: '17 * 3' }));
  const question = [
    { role: 'system', content: system },
    { role: 'user', content: 'What is 17 * 3?' },
  ];
  const dir = await makeTinyChatModel(
    [
      { messages: question, tools, reply: call },
      {
        // The second request as the agent sends it: its call back as tool_calls, then the tool's result.
        messages: [
          ...question,
          { role: 'assistant', content: null, tool_calls: [{ type: 'function', function: { name: 'calculator', arguments: { expression: '17 * 3' } } }] },
          { role: 'tool', content: observation },
        ],
        tools,
        reply: '17 * 3 = 51.',
      },
    ],
    { steps: 400 },
  );
  app = await createServer([await loadServedModel(dir, { id: 'tiny-agent' })], { maxTokens: 96 });
  baseUrl = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1`;
}, 240_000);

afterAll(async () => {
  await app?.close();
});

describe('agent over chainlm-serve', () => {
  it('calls the calculator through tool_calls and answers with its result', async () => {
    const agent = new FunctionCallingAgent({
      model: new OpenAICompatibleChatModel({ baseUrl, model: 'tiny-agent', temperature: 0 }),
      tools: createBuiltinTools(['calculator']),
      systemPrompt: system,
      maxSteps: 4,
    });
    const result = await agent.run('What is 17 * 3?');
    const toolCalls = result.steps.filter((step) => step.type === 'tool-call');
    expect(toolCalls).toHaveLength(1);
    expect(toolCalls[0]).toMatchObject({ tool: 'calculator' });
    expect(result.answer).toBe('17 * 3 = 51.');
  });
});
