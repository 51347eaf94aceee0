import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../testing/fake-openai-server.js';
import type { ChatResponse } from './chat-model.js';
import { chatCompletionsUrl, OpenAICompatibleChatModel } from './openai-chat-model.js';
import { ScriptedChatModel } from './scripted-chat-model.js';

const replies: ChatResponse[] = [
  { text: 'Hello there, friend.', toolCalls: [], finishReason: 'stop' },
  { text: '', toolCalls: [{ id: 'call_a', name: 'calculator', arguments: '{"expression":"2 * (3 + 4)"}' }, { id: 'call_b', name: 'date_time', arguments: '{}' }], finishReason: 'tool_calls' },
];

describe('OpenAICompatibleChatModel', () => {
  let server: FakeOpenAIServer;
  beforeAll(async () => {
    server = await startFakeOpenAIServer((request) => (request.tools ? replies[1] : replies[0]), { apiKey: 'sk-test' });
  });
  afterAll(() => server.close());

  it('builds the completions URL from a base', () => {
    expect(chatCompletionsUrl('http://h:1')).toBe('http://h:1/v1/chat/completions');
    expect(chatCompletionsUrl('http://h:1/v1/')).toBe('http://h:1/v1/chat/completions');
    expect(chatCompletionsUrl('http://h:1/x/chat/completions')).toBe('http://h:1/x/chat/completions');
  });

  for (const stream of [false, true]) {
    it(`returns text and tool calls (${stream ? 'streaming SSE' : 'JSON'})`, async () => {
      const model = new OpenAICompatibleChatModel({ baseUrl: server.url, model: 'tiny', apiKey: 'sk-test', stream });
      const deltas: string[] = [];
      const text = await model.chat({ messages: [{ role: 'user', content: 'hi' }], stop: ['\nObservation:'] }, { onTextDelta: (delta) => deltas.push(delta) });
      expect(text).toEqual(replies[0]);
      expect(deltas.join('')).toBe('Hello there, friend.');
      if (stream) expect(deltas.length).toBeGreaterThan(1);
      const calls = await model.chat({
        messages: [
          { role: 'user', content: 'compute' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'c0', name: 'calculator', arguments: '{}' }] },
          { role: 'tool', content: '1', toolCallId: 'c0' },
        ],
        tools: [{ name: 'calculator', description: 'math', parameters: { type: 'object' } }],
      });
      expect(calls).toEqual(replies[1]);
      const wire = server.requests.at(-1);
      expect(wire?.messages[1]).toMatchObject({ tool_calls: [{ id: 'c0', type: 'function', function: { name: 'calculator' } }] });
      expect(wire?.messages[2]).toMatchObject({ role: 'tool', tool_call_id: 'c0' });
      expect(wire?.tools?.[0]).toMatchObject({ type: 'function', function: { name: 'calculator' } });
    });
  }

  it('names the failure: bad key, unreachable server, non-OpenAI reply', async () => {
    const unauthorised = new OpenAICompatibleChatModel({ baseUrl: server.url, apiKey: 'wrong' });
    await expect(unauthorised.chat({ messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ code: 'model-http', hint: 'pass the right --api-key' });
    const closed = new OpenAICompatibleChatModel({ baseUrl: 'http://127.0.0.1:9/v1' });
    await expect(closed.chat({ messages: [] })).rejects.toMatchObject({ code: 'model-unreachable' });
    const wrong = await startFakeOpenAIServer(() => replies[0]);
    const notOpenAI = new OpenAICompatibleChatModel({ baseUrl: wrong.url.replace('/v1', '/v2') });
    await expect(notOpenAI.chat({ messages: [] })).rejects.toMatchObject({ code: 'model-http' });
    await wrong.close();
  });
});

describe('ScriptedChatModel', () => {
  it('replays in order, streams deltas, and says when it runs out', async () => {
    const model = new ScriptedChatModel(['first answer', { text: 'second', toolCalls: [], finishReason: 'stop' }], { deltaChars: 4 });
    const deltas: string[] = [];
    expect((await model.chat({ messages: [] }, { onTextDelta: (delta) => deltas.push(delta) })).text).toBe('first answer');
    expect(deltas).toEqual(['firs', 't an', 'swer']);
    expect((await model.chat({ messages: [] })).text).toBe('second');
    await expect(model.chat({ messages: [] })).rejects.toMatchObject({ code: 'script-exhausted' });
  });

  it('in strict mode rejects a request that differs from the recording', async () => {
    const request = { messages: [{ role: 'user' as const, content: 'what is 2+2?' }] };
    const model = new ScriptedChatModel([{ request, response: replies[0] }]);
    await expect(model.chat({ messages: [{ role: 'user', content: 'what is 2+3?' }] })).rejects.toMatchObject({ code: 'replay-diverged', message: expect.stringContaining('message 1 (user)') });
    expect(await new ScriptedChatModel([{ request, response: replies[0] }]).chat({ ...request, temperature: 0 })).toEqual(replies[0]);
  });
});
