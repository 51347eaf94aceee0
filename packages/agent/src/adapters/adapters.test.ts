import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { tool as langChainTool } from '@langchain/core/tools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ReActAgent } from '../agents/react-agent.js';
import { ScriptedChatModel } from '../models/scripted-chat-model.js';
import { createCalculatorTool } from '../tools/calculator.js';
import { invokeTool } from '../tools/tool.js';
import { fromLangChainTool, toLangChainTool } from './langchain.js';
import { createMcpServer, fromMcpClient } from './mcp.js';
import { toOpenAITools } from './openai-functions.js';

const calculator = createCalculatorTool();

describe('OpenAI function schemas', () => {
  it('wraps tools in the wire shape', () => {
    expect(toOpenAITools([calculator])).toEqual([
      { type: 'function', function: { name: 'calculator', description: calculator.description, parameters: { type: 'object', properties: { expression: expect.objectContaining({ type: 'string' }) }, required: ['expression'], additionalProperties: false } } },
    ]);
  });
});

describe('LangChain.js interop', () => {
  it('a chainlm tool works as a LangChain tool, errors as data', async () => {
    const wrapped = toLangChainTool(calculator);
    expect(wrapped.name).toBe('calculator');
    expect(JSON.parse(await wrapped.invoke({ expression: '2 + 3 * 4' }))).toEqual({ ok: true, output: { result: '14', value: 14 } });
    expect(JSON.parse(await wrapped.invoke({ expression: '2 +* 3' }))).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });

  it('a LangChain tool (zod 4 schema) works in a chainlm agent', async () => {
    const weather = langChainTool(async ({ city }: { city: string }) => `It is sunny in ${city}.`, { name: 'weather', description: 'weather by city', schema: z.object({ city: z.string() }) });
    const wrapped = fromLangChainTool(weather);
    expect(await invokeTool(wrapped, { city: 'Oslo' })).toEqual({ ok: true, output: 'It is sunny in Oslo.' });
    expect(await invokeTool(wrapped, { town: 'Oslo' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const model = new ScriptedChatModel(['Action: weather\nAction Input: Paris', 'Final Answer: sunny']);
    const result = await new ReActAgent({ model, tools: [wrapped] }).run('Weather in Paris?');
    expect(model.received[1].messages.at(-1)?.content).toBe('Observation: It is sunny in Paris.');
    expect(result.answer).toBe('sunny');
  });

  it('a LangChain tool with a JSON schema keeps the schema and its own validation', async () => {
    const schema = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] };
    const square = langChainTool(async (input: { n: number }) => input.n * input.n, { name: 'square', description: 'squares', schema });
    const wrapped = fromLangChainTool(square as never);
    expect(wrapped.inputJsonSchema).toMatchObject({ properties: { n: { type: 'number' } } });
    expect(await invokeTool(wrapped, { n: 7 })).toEqual({ ok: true, output: 49 });
    const thrower = fromLangChainTool(langChainTool(async () => { throw new Error('backend down'); }, { name: 'flaky', description: 'fails', schema: z.object({}) }));
    expect(await invokeTool(thrower, {})).toMatchObject({ ok: false, error: { code: 'execution-error', message: expect.stringContaining('backend down') } });
  });

  it('round trip: chainlm → LangChain → chainlm keeps behaviour', async () => {
    const back = fromLangChainTool(toLangChainTool(calculator) as never);
    expect(await invokeTool(back, { expression: '6*7' })).toEqual({ ok: true, output: JSON.stringify({ ok: true, output: { result: '42', value: 42 } }) });
  });
});

describe('MCP server', () => {
  async function connect() {
    const server = createMcpServer([calculator]);
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    await server.connect(serverTransport);
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(clientTransport);
    return { client, server };
  }

  it('lists and calls tools for an MCP client; errors are isError results', async () => {
    const { client, server } = await connect();
    const { tools } = await client.listTools();
    expect(tools).toEqual([expect.objectContaining({ name: 'calculator', inputSchema: expect.objectContaining({ type: 'object', required: ['expression'] }) })]);
    expect(await client.callTool({ name: 'calculator', arguments: { expression: '9 * 9' } })).toMatchObject({ content: [{ type: 'text', text: '{"result":"81","value":81}' }] });
    const bad = await client.callTool({ name: 'calculator', arguments: { expression: 12 } });
    expect(bad.isError).toBe(true);
    expect(JSON.parse((bad.content as { text: string }[])[0].text)).toMatchObject({ code: 'invalid-input' });
    expect((await client.callTool({ name: 'nope', arguments: {} })).isError).toBe(true);
    await client.close();
    await server.close();
  });

  it('MCP tools come back as chainlm tools with their error codes', async () => {
    const { client, server } = await connect();
    const [remote] = await fromMcpClient(client);
    expect(await invokeTool(remote, { expression: '2^5' })).toEqual({ ok: true, output: { result: '32', value: 32 } });
    expect(await invokeTool(remote, { expression: '2 +* 5' })).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    await client.close();
    await server.close();
  });
});
