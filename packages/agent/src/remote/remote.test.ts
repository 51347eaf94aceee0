import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReActAgent } from '../agents/react-agent.js';
import { ScriptedChatModel } from '../models/scripted-chat-model.js';
import { createCalculatorTool } from '../tools/calculator.js';
import { createJsInterpreterTool } from '../tools/js-interpreter.js';
import { invokeTool } from '../tools/tool.js';
import { bearerToken, keyMatches } from './auth.js';
import { RemoteToolClient } from './remote-tool-client.js';
import { buildToolServer, startToolServer } from './tool-server.js';

const tools = () => [createCalculatorTool(), createJsInterpreterTool({ timeLimitMs: 200 })];

describe('bearer keys', () => {
  it('parses the header and compares against every key', () => {
    expect(bearerToken('Bearer abc ')).toBe('abc');
    expect(bearerToken('Basic abc')).toBeUndefined();
    expect(keyMatches('k2', ['k1', 'k2'])).toBe(true);
    expect(keyMatches('k3', ['k1', 'k2'])).toBe(false);
    expect(keyMatches(undefined, [''])).toBe(false);
  });
});

describe('tool server (in-process inject)', () => {
  const app = buildToolServer({ tools: tools(), apiKeys: ['secret'] });
  const auth = { authorization: 'Bearer secret' };
  afterAll(() => app.close());

  it('rejects requests without the right key, but not /health', async () => {
    expect((await app.inject({ method: 'GET', url: '/tools' })).statusCode).toBe(401);
    const wrong = await app.inject({ method: 'POST', url: '/tools/calculator/call', headers: { authorization: 'Bearer nope' }, payload: { input: { expression: '1' } } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ ok: true });
  });

  it('lists tools, serves schemas and calls them', async () => {
    expect((await app.inject({ method: 'GET', url: '/tools', headers: auth })).json().tools.map((tool: { name: string }) => tool.name)).toEqual(['calculator', 'javascript']);
    expect((await app.inject({ method: 'GET', url: '/tools/calculator/schema', headers: auth })).json()).toMatchObject({ name: 'calculator', inputSchema: { required: ['expression'] } });
    const call = await app.inject({ method: 'POST', url: '/tools/calculator/call', headers: auth, payload: { input: { expression: '3^4' } } });
    expect(call.json()).toEqual({ ok: true, output: { result: '81', value: 81 } });
  });

  it('answers tool errors as results and protocol errors as HTTP errors', async () => {
    const toolError = await app.inject({ method: 'POST', url: '/tools/calculator/call', headers: auth, payload: { input: { expression: 4 } } });
    expect(toolError.statusCode).toBe(200);
    expect(toolError.json()).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    const missing = await app.inject({ method: 'POST', url: '/tools/abacus/call', headers: auth, payload: { input: {} } });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, 'unknown-tool']);
    expect((await app.inject({ method: 'GET', url: '/tools/abacus/schema', headers: auth })).statusCode).toBe(404);
    const malformed = await app.inject({ method: 'POST', url: '/tools/calculator/call', headers: auth, payload: { expression: '1' } });
    expect([malformed.statusCode, malformed.json().error.code]).toEqual([400, 'invalid-input']);
    const notJson = await app.inject({ method: 'POST', url: '/tools/calculator/call', headers: { ...auth, 'content-type': 'application/json' }, payload: '{oops' });
    expect(notJson.statusCode).toBe(400);
  });

  it('refuses a public host without keys', async () => {
    await expect(startToolServer({ tools: tools(), host: '0.0.0.0' })).rejects.toMatchObject({ code: 'tool-server-open' });
  });
});

describe('remote tools over HTTP', () => {
  let server: Awaited<ReturnType<typeof startToolServer>>;
  beforeAll(async () => {
    server = await startToolServer({ tools: tools(), apiKeys: ['k-123'] });
  });
  afterAll(() => server.close());

  it('a local agent uses remote tools, and a remote sandbox error surfaces as the same tool error', async () => {
    const remoteTools = await new RemoteToolClient(server.url, { apiKey: 'k-123' }).tools();
    expect(remoteTools.map((tool) => tool.name)).toEqual(['calculator', 'javascript']);
    const model = new ScriptedChatModel([
      'Action: calculator\nAction Input: 12 * 12',
      'Action: javascript\nAction Input: {"code": "for (;;) {}"}',
      'Action: calculator\nAction Input: {"expression": 7}',
      'Final Answer: 144',
    ]);
    const result = await new ReActAgent({ model, tools: remoteTools }).run('square 12');
    const observed = result.steps.filter((step) => step.type === 'observation').map((step) => (step.type === 'observation' ? step.result : null));
    expect(observed[0]).toEqual({ ok: true, output: { result: '144', value: 144 } });
    expect(observed[1]).toMatchObject({ ok: false, error: { code: 'time-limit' } });
    expect(observed[2]).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(result.answer).toBe('144');
  });

  it('a wrong key and a dead server are clear errors', async () => {
    await expect(new RemoteToolClient(server.url, { apiKey: 'bad' }).tools()).rejects.toMatchObject({ code: 'remote-unauthorized' });
    await expect(new RemoteToolClient('http://127.0.0.1:9').tools()).rejects.toMatchObject({ code: 'remote-unreachable' });
    const [calculator] = await new RemoteToolClient(server.url, { apiKey: 'k-123' }).tools();
    const stopped = await startToolServer({ tools: tools() });
    const [orphan] = await new RemoteToolClient(stopped.url).tools();
    await stopped.close();
    expect(await invokeTool(orphan, { expression: '1' })).toMatchObject({ ok: false, error: { code: 'remote-error' } });
    expect(await invokeTool(calculator, '1+1')).toMatchObject({ ok: true, output: { value: 2 } });
  });
});
