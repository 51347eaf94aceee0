/**
 * The server end to end with real clients: the official `openai` npm package and
 * LangChain's ChatOpenAI against a live server on loopback, serving a tiny trained
 * chat model (exact replies) and stories260K from ../shared (golden ids).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import { ChatOpenAI } from '@langchain/openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import { importLlama2c } from '@chainlm/model';
import { createServer } from './app/create-server.js';
import { loadServedModel } from './app/load-model.js';
import { JsonPrefix } from './decoding/json-prefix.js';
import { makeTinyChatModel } from './testing/tiny-chat-model.js';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const storiesBin = join(repoRoot, '../shared/models/stories260K/stories260K.bin');
const hasShared = !skipUnlessPresent(storiesBin, 'the stories260K server tests read ../shared/models (check ../shared out beside the repo)');

let app: FastifyInstance;
let client: OpenAI;
let baseURL: string;

beforeAll(async () => {
  const chatDir = await makeTinyChatModel();
  const models = [await loadServedModel(chatDir, { id: 'tiny-chat', engine: { maxSeqs: 8 } })];
  if (hasShared) {
    const storiesDir = join(mkdtempSync(join(tmpdir(), 'chainlm-serve-stories-')), 'stories260K');
    await importLlama2c(storiesBin, storiesDir);
    models.push(await loadServedModel(storiesDir, { id: 'stories260K' }));
  }
  app = await createServer(models, { apiKeys: ['test-key-12345'], maxTokens: 128 });
  baseURL = `${await app.listen({ host: '127.0.0.1', port: 0 })}/v1`;
  client = new OpenAI({ apiKey: 'test-key-12345', baseURL, maxRetries: 0 });
}, 180_000);

afterAll(async () => {
  await app?.close();
});

describe('chainlm-serve with the openai client', () => {
  it('lists the served models', async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain('tiny-chat');
  });

  it('answers a chat completion with the trained reply and usage', async () => {
    const completion = await client.chat.completions.create({ model: 'tiny-chat', messages: [{ role: 'user', content: 'Say hello.' }], temperature: 0 });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0].message).toMatchObject({ role: 'assistant', content: 'Hello! I am a tiny model.' });
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
  });

  it('streams the same reply as SSE chunks, with usage at the end', async () => {
    const stream = await client.chat.completions.create({
      model: 'tiny-chat',
      messages: [{ role: 'user', content: 'Say hello.' }],
      temperature: 0,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage = null;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices) {
        text += choice.delta.content ?? '';
        finish = choice.finish_reason ?? finish;
      }
    }
    expect(text).toBe('Hello! I am a tiny model.');
    expect(finish).toBe('stop');
    expect(chunks).toBeGreaterThan(3);
    expect(usage).toMatchObject({ completion_tokens: expect.any(Number) });
  });

  it('parses a tool call from the model output into tool_calls', async () => {
    const completion = await client.chat.completions.create({
      model: 'tiny-chat',
      messages: [{ role: 'user', content: 'What is 2 + 2?' }],
      temperature: 0,
      tools: [{ type: 'function', function: { name: 'calculator', description: 'evaluates arithmetic', parameters: { type: 'object', properties: { expression: { type: 'string' } } } } }],
    });
    const choice = completion.choices[0];
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls![0] as { type: string; function: { name: string; arguments: string } };
    expect(call.function.name).toBe('calculator');
    expect(JSON.parse(call.function.arguments)).toEqual({ expression: '2 + 2' });
  });

  it('returns chat logprobs in OpenAI shape', async () => {
    const completion = await client.chat.completions.create({ model: 'tiny-chat', messages: [{ role: 'user', content: 'Say hello.' }], temperature: 0, logprobs: true, top_logprobs: 2 });
    const content = completion.choices[0].logprobs!.content!;
    expect(content.map((entry) => entry.token).join('')).toBe('Hello! I am a tiny model.');
    for (const entry of content) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.top_logprobs).toHaveLength(2);
      expect(entry.top_logprobs[0].logprob).toBeGreaterThanOrEqual(entry.top_logprobs[1].logprob);
    }
  });

  it('maps errors to OpenAI error objects', async () => {
    await expect(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    await expect(client.chat.completions.create({ model: 'tiny-chat', messages: [{ role: 'user', content: 'x' }], temperature: 9 })).rejects.toMatchObject({
      status: 400,
      param: 'temperature',
    });
    const stranger = new OpenAI({ apiKey: 'wrong-key-00000', baseURL, maxRetries: 0 });
    await expect(stranger.models.list()).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });

  it('rejects a prompt longer than the context with the limits', async () => {
    const long = 'Say hello. '.repeat(200);
    await expect(client.chat.completions.create({ model: 'tiny-chat', messages: [{ role: 'user', content: long }] })).rejects.toMatchObject({
      status: 400,
      code: 'context_length_exceeded',
    });
  });

  it.skipIf(!hasShared)('completes token ids greedily to the stories260K golden, with echo logprobs', async () => {
    const golden = JSON.parse(readFileSync(join(repoRoot, '../shared/models/stories260K/golden.json'), 'utf8')) as { greedy_ids: number[] };
    const count = 24;
    const response = await fetch(`${baseURL}/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer test-key-12345' },
      body: JSON.stringify({ model: 'stories260K', prompt: [1], max_tokens: count, temperature: 0, ignore_eos: true, logprobs: 1, echo: true }),
    });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.object).toBe('text_completion');
    expect(body.choices[0].logprobs.token_logprobs[0]).toBeNull();
    expect(body.choices[0].logprobs.token_logprobs).toHaveLength(1 + count);
    const served = body.choices[0].logprobs.tokens.slice(1).map((token: string) => Number(token.slice(1, -1)));
    const expected = golden.greedy_ids.slice(golden.greedy_ids[0] === 1 ? 1 : 0).slice(0, count);
    expect(served).toEqual(expected);
  });
});

describe('LangChain ChatOpenAI against chainlm-serve', () => {
  it('invokes and streams', async () => {
    const chat = new ChatOpenAI({ model: 'tiny-chat', apiKey: 'test-key-12345', configuration: { baseURL }, temperature: 0, maxRetries: 0 });
    const message = await chat.invoke([{ role: 'user', content: 'Say hello.' }]);
    expect(message.content).toBe('Hello! I am a tiny model.');
    let streamed = '';
    for await (const chunk of await chat.stream('Say hello.')) streamed += String(chunk.content);
    expect(streamed).toBe('Hello! I am a tiny model.');
  });
});

describe('JSON mode', () => {
  it('keeps every reply a valid JSON object prefix, even for prompts the model was not trained to answer in JSON', async () => {
    for (const content of ['Say hello.', 'Give me JSON.', 'Anything at all']) {
      const completion = await client.chat.completions.create({
        model: 'tiny-chat',
        messages: [{ role: 'user', content }],
        temperature: 0,
        max_tokens: 120,
        response_format: { type: 'json_object' },
      });
      // A model that never closes its value runs out of tokens; what it wrote is still a valid JSON prefix.
      const text = completion.choices[0].message.content!;
      expect(text.trim().startsWith('{')).toBe(true);
      if (completion.choices[0].finish_reason === 'stop') expect(typeof JSON.parse(text)).toBe('object');
      else expect(JsonPrefix.start({ requireObject: true }).append(text), text).not.toBeNull();
    }
  });

  it('keeps the trained JSON reply when it is already valid', async () => {
    const completion = await client.chat.completions.create({ model: 'tiny-chat', messages: [{ role: 'user', content: 'Give me JSON.' }], temperature: 0, response_format: { type: 'json_object' } });
    expect(JSON.parse(completion.choices[0].message.content!)).toEqual({ answer: 42, ok: true });
  });
});
