import { describe, expect, it } from 'vitest';
import { parseToolCalls } from './tool-calls.js';

describe('parseToolCalls', () => {
  it('reads Hermes/Qwen <tool_call> blocks and keeps the surrounding text', () => {
    const reply = parseToolCalls('Let me compute. <tool_call>{"name": "calculator", "arguments": {"expression": "2+2"}}</tool_call>');
    expect(reply.content).toBe('Let me compute.');
    expect(reply.toolCalls).toHaveLength(1);
    expect(reply.toolCalls[0]).toMatchObject({ type: 'function', function: { name: 'calculator', arguments: '{"expression":"2+2"}' } });
    expect(reply.toolCalls[0].id).toMatch(/^call_[0-9a-f]{24}$/);
  });

  it('reads InternLM2 action blocks with parameters', () => {
    const reply = parseToolCalls('<|action_start|><|plugin|>\n{"name": "search", "parameters": {"q": "x"}}<|action_end|>');
    expect(reply).toMatchObject({ content: null, toolCalls: [{ function: { name: 'search', arguments: '{"q":"x"}' } }] });
  });

  it('reads several calls and ignores malformed or unknown ones', () => {
    const text = '<tool_call>{"name":"a","arguments":{}}</tool_call><tool_call>{bad}</tool_call><tool_call>{"name":"zzz"}</tool_call>';
    const reply = parseToolCalls(text, { knownTools: ['a'] });
    expect(reply.toolCalls.map((call) => call.function.name)).toEqual(['a']);
    expect(reply.content).toBe('<tool_call>{bad}</tool_call><tool_call>{"name":"zzz"}</tool_call>');
  });

  it('takes a bare JSON reply as a call only when asked', () => {
    const text = '{"name": "calculator", "arguments": "{\\"expression\\": \\"1\\"}"}';
    expect(parseToolCalls(text).toolCalls).toEqual([]);
    expect(parseToolCalls(text, { bareJson: true }).toolCalls[0].function.arguments).toBe('{"expression": "1"}');
    expect(parseToolCalls('plain text', { bareJson: true })).toEqual({ content: 'plain text', toolCalls: [] });
  });
});
