import { describe, expect, it } from 'vitest';
import { ApiError } from './errors.js';
import { chatRequestSchema, completionRequestSchema, parseBody } from './schemas.js';

function rejection(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error('expected an ApiError');
}

describe('request schemas', () => {
  it('accepts the shapes OpenAI clients send', () => {
    expect(parseBody(completionRequestSchema, { model: 'm', prompt: [1, 2, 3], logprobs: 2, echo: true }).prompt).toEqual([1, 2, 3]);
    const chat = parseBody(chatRequestSchema, {
      model: 'm',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: [{ type: 'text', text: 'hi' }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
        { role: 'tool', content: '4', tool_call_id: 'c1' },
      ],
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }],
      tool_choice: 'auto',
      response_format: { type: 'json_object' },
      stream: true,
      stream_options: { include_usage: true },
      unknown_field: 1,
    });
    expect(chat.messages).toHaveLength(4);
  });

  it('names the bad field in a 400', () => {
    const error = rejection(() => parseBody(chatRequestSchema, { model: 'm', messages: [{ role: 'user', content: 'x' }], temperature: 5 }));
    expect(error.status).toBe(400);
    expect(error.toBody().error).toMatchObject({ param: 'temperature', type: 'invalid_request_error', code: 'invalid_request' });
    expect(error.message).toMatch(/^temperature: /);
    expect(rejection(() => parseBody(chatRequestSchema, { model: 'm', messages: [] })).param).toBe('messages');
    expect(rejection(() => parseBody(chatRequestSchema, { model: 'm', messages: [{ role: 'wizard' }] })).param).toBe('messages.0.role');
    expect(rejection(() => parseBody(completionRequestSchema, { model: 'm', prompt: [1, 'a'] })).param).toBe('prompt');
    expect(rejection(() => parseBody(completionRequestSchema, [1])).message).toMatch(/JSON object/);
  });
});
