/**
 * Property-based robustness: random bodies (random JSON, and near-valid requests with
 * one field corrupted) thrown at every endpoint must never produce a 5xx, and every
 * 4xx must carry an OpenAI error object. Runs in-process with inject().
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { loadHfFolder } from '@chainlm/model';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from './app/create-server.js';
import { loadServedModel } from './app/load-model.js';
import { makeTinyChatModel } from './testing/tiny-chat-model.js';
import { randomLoraAdapter, writePeftFolder } from './testing/lora-fixtures.js';

let app: FastifyInstance;

beforeAll(async () => {
  const dir = await makeTinyChatModel(undefined, { steps: 5 });
  // An adapter root holding one real adapter, so random load bodies can also succeed.
  const root = mkdtempSync(join(tmpdir(), 'chainlm-fuzz-adapters-'));
  await writePeftFolder(join(root, 'adapter'), randomLoraAdapter((await loadHfFolder(dir)).weights, ['model.layers.0.self_attn.q_proj'], 2, 4, 1));
  app = await createServer([await loadServedModel(dir, { id: 'tiny', engine: { maxSeqs: 4 } })], { maxTokens: 4, rateLimitPerSecond: 1e6, rateLimitBurst: 1e6, adapterRoot: root });
}, 120_000);

afterAll(async () => {
  await app?.close();
});

const endpoints = ['/v1/completions', '/v1/chat/completions', '/v1/tokenize', '/v1/detokenize', '/v1/load_lora_adapter', '/v1/unload_lora_adapter'];

const validBodies: Record<string, Record<string, unknown>> = {
  '/v1/completions': { model: 'tiny', prompt: 'Say', max_tokens: 2 },
  '/v1/chat/completions': { model: 'tiny', messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 2 },
  '/v1/tokenize': { model: 'tiny', prompt: 'hello' },
  '/v1/detokenize': { model: 'tiny', tokens: [1, 2, 3] },
  '/v1/load_lora_adapter': { lora_name: 'fuzzed', lora_path: 'adapter' },
  '/v1/unload_lora_adapter': { lora_name: 'fuzzed' },
};

async function check(url: string, payload: string, contentType = 'application/json'): Promise<void> {
  const response = await app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } });
  expect(response.statusCode, `${url} ${payload.slice(0, 200)} → ${response.body.slice(0, 200)}`).toBeLessThan(500);
  if (response.statusCode >= 400) {
    const body = response.json();
    expect(body.error).toMatchObject({ message: expect.any(String), type: expect.any(String), code: expect.any(String) });
  }
}

const anyValue = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom(-1, 0, 1e308, -1e308, 2 ** 53, '', 'x'.repeat(5000), [], {}, null, true, [[]], [-1], [1e9]),
);

describe('fuzzing every endpoint', () => {
  it('random JSON bodies never give a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...endpoints), fc.jsonValue(), async (url, value) => check(url, JSON.stringify(value))),
      { numRuns: 150 },
    );
  });

  it('valid requests with one field replaced never give a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...endpoints), fc.string({ maxLength: 24 }), anyValue, async (url, field, value) => {
        const body = { ...validBodies[url] };
        const keys = Object.keys(body);
        const key = field.length % 3 === 0 ? field : keys[field.length % keys.length];
        (body as Record<string, unknown>)[key] = value;
        await check(url, JSON.stringify(body));
      }),
      { numRuns: 250 },
    );
  });

  it('broken JSON, wrong content types and unknown routes give 4xx', async () => {
    await check('/v1/chat/completions', '{"model": "tiny", "messages": [');
    await check('/v1/completions', 'not json at all', 'text/plain');
    await check('/v1/completions', '');
    const unknown = await app.inject({ method: 'POST', url: '/v1/nope', payload: {} });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
  });
});
