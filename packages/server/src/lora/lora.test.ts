/**
 * Many LoRA adapters on one base through the HTTP API: an adapter given at start and
 * one loaded at run time answer exactly as servers of the same adapters merged into
 * the weights, while sharing one engine with base-model requests; load/unload follow
 * vLLM's shapes; run-time paths outside the adapter root are refused.
 */
import { mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProgram } from '@chainlm/core';
import { loadHfFolder, saveHfFolder, type WeightMap } from '@chainlm/model';
import { createServer } from '../app/create-server.js';
import { loadServedModel } from '../app/load-model.js';
import type { ServedModel } from '../app/served-model.js';
import { program } from '../cli/program.js';
import { makeTinyChatModel } from '../testing/tiny-chat-model.js';
import { mergeLora, randomLoraAdapter, writePeftFolder, type HostLoraAdapter } from '../testing/lora-fixtures.js';

let dir: string;
let root: string;
let weights: WeightMap;
let app: FastifyInstance;
let base: ServedModel;
let reference: FastifyInstance;
const adapters: Record<string, HostLoraAdapter> = {};

async function writeMerged(folder: string, adapter: HostLoraAdapter): Promise<void> {
  const meta = await loadHfFolder(dir);
  await saveHfFolder(folder, { configJson: meta.configJson, weights: mergeLora(weights, adapter), tokenizerFiles: meta.tokenizerFiles });
}

const post = (server: FastifyInstance, url: string, payload: unknown) => server.inject({ method: 'POST', url, payload: payload as object });

beforeAll(async () => {
  dir = await makeTinyChatModel(undefined, { steps: 3 });
  weights = (await loadHfFolder(dir)).weights;
  root = mkdtempSync(join(tmpdir(), 'chainlm-adapters-'));
  const layers = [0, 1];
  adapters.alpha = randomLoraAdapter(weights, layers.flatMap((layer) => ['self_attn.q_proj', 'self_attn.v_proj'].map((name) => `model.layers.${layer}.${name}`)), 4, 8, 31);
  adapters.beta = randomLoraAdapter(weights, layers.flatMap((layer) => ['self_attn.o_proj', 'mlp.gate_proj', 'mlp.up_proj', 'mlp.down_proj'].map((name) => `model.layers.${layer}.${name}`)), 2, 4, 32);
  await writePeftFolder(join(root, 'alpha'), adapters.alpha);
  await writePeftFolder(join(root, 'beta'), adapters.beta);
  const work = mkdtempSync(join(tmpdir(), 'chainlm-merged-'));
  await writeMerged(join(work, 'alpha'), adapters.alpha);
  await writeMerged(join(work, 'beta'), adapters.beta);
  const engine = { maxSeqs: 8, cacheGiB: 0.01 };
  base = await loadServedModel(dir, { id: 'tiny', engine });
  app = await createServer([base], { adapters: [{ name: 'alpha', path: join(root, 'alpha') }], adapterRoot: root, maxTokens: 8 });
  const merged = [await loadServedModel(dir, { id: 'tiny', engine }), await loadServedModel(join(work, 'alpha'), { engine }), await loadServedModel(join(work, 'beta'), { engine })];
  reference = await createServer(merged, { maxTokens: 8 });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await reference?.close();
});

/** A response body without the fields that differ between any two calls. */
function comparable(body: { choices: unknown[]; usage: unknown }): unknown {
  return { choices: body.choices, usage: body.usage };
}

describe('LoRA adapters over HTTP', () => {
  it('loads an adapter at run time from under the root and lists both with their parent', async () => {
    const loaded = await post(app, '/v1/load_lora_adapter', { lora_name: 'beta', lora_path: 'beta' });
    expect(loaded.statusCode, loaded.body).toBe(200);
    expect(loaded.body).toBe("Success: LoRA adapter 'beta' added successfully.");
    const models = (await app.inject({ method: 'GET', url: '/v1/models' })).json().data;
    expect(models.map((model: { id: string; parent: string | null }) => [model.id, model.parent])).toEqual([['tiny', null], ['alpha', 'tiny'], ['beta', 'tiny']]);
  });

  it('answers each adapter as its merged model, batched with base requests on one engine', async () => {
    const stepsBefore = base.engine.metrics().steps;
    const names = ['tiny', 'alpha', 'beta', 'alpha', 'tiny', 'beta'];
    const body = (model: string) => ({ model, prompt: [5, 9, 17, 3, 40, 11], max_tokens: 6, temperature: 0, ignore_eos: true, logprobs: 1 });
    const served = await Promise.all(names.map((model) => post(app, '/v1/completions', body(model))));
    // Six requests of 6 tokens, one after another, would take 36 steps; together they take about 6.
    expect(base.engine.metrics().steps - stepsBefore).toBeLessThan(12);
    for (const [index, model] of names.entries()) {
      expect(served[index].statusCode, served[index].body).toBe(200);
      const expected = (await post(reference, '/v1/completions', body(model))).json();
      const actual = served[index].json();
      expect(actual.model).toBe(model);
      expect(actual.choices[0].logprobs.tokens).toEqual(expected.choices[0].logprobs.tokens);
      actual.choices[0].logprobs.token_logprobs.forEach((logprob: number, position: number) => expect(logprob).toBeCloseTo(expected.choices[0].logprobs.token_logprobs[position], 4));
    }
    // The adapters change the answer (so the comparison above can fail).
    expect(served[2].json().choices[0].logprobs.token_logprobs[0]).not.toBeCloseTo(served[0].json().choices[0].logprobs.token_logprobs[0], 3);
    const chat = { messages: [{ role: 'user', content: 'Say hello.' }], max_tokens: 6, temperature: 0, ignore_eos: true };
    const [mine, theirs] = await Promise.all([post(app, '/v1/chat/completions', { ...chat, model: 'beta' }), post(reference, '/v1/chat/completions', { ...chat, model: 'beta' })]);
    expect(comparable(mine.json())).toEqual(comparable(theirs.json()));
  });

  it('refuses run-time paths outside the adapter root, and every run-time path without a root', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'chainlm-outside-'));
    await writePeftFolder(join(outside, 'evil'), adapters.alpha);
    symlinkSync(join(outside, 'evil'), join(root, 'link'));
    for (const lora_path of [join(outside, 'evil'), '../' + outside.split('/').pop() + '/evil', 'link', '/etc', root]) {
      const response = await post(app, '/v1/load_lora_adapter', { lora_name: 'evil', lora_path });
      expect(response.statusCode, lora_path).toBe(403);
      expect(response.json().error).toMatchObject({ code: 'forbidden', param: 'lora_path' });
    }
    expect((await post(app, '/v1/load_lora_adapter', { lora_name: 'evil', lora_path: 'missing' })).statusCode).toBe(400);
    mkdirSync(join(root, 'empty'));
    const notPeft = await post(app, '/v1/load_lora_adapter', { lora_name: 'evil', lora_path: 'empty' });
    expect(notPeft.statusCode).toBe(400);
    expect(notPeft.json().error.message).toMatch(/not a PEFT LoRA folder/);
    const closed = await createServer([await loadServedModel(dir, { id: 'tiny', engine: { maxSeqs: 2, cacheGiB: 0.005 } })]);
    const refused = await post(closed, '/v1/load_lora_adapter', { lora_name: 'alpha', lora_path: join(root, 'alpha') });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().error.message).toMatch(/run time is off: start the server with --adapter-root/);
    await closed.close();
    expect((await app.inject({ method: 'GET', url: '/v1/models' })).json().data.map((model: { id: string }) => model.id)).not.toContain('evil');
  });

  it('unloads an adapter, refuses duplicates and unknown names', async () => {
    const duplicate = await post(app, '/v1/load_lora_adapter', { lora_name: 'alpha', lora_path: 'alpha' });
    expect(duplicate.statusCode).toBe(400);
    expect(duplicate.json().error.message).toMatch(/"alpha" is already served/);
    expect((await post(app, '/v1/load_lora_adapter', { lora_name: 'has space', lora_path: 'alpha' })).statusCode).toBe(400);
    expect((await app.inject({ url: '/metrics' })).body).toMatch(/chainlm_request_latency_seconds_count\{model="beta"\}/);
    const unloaded = await post(app, '/v1/unload_lora_adapter', { lora_name: 'beta' });
    expect(unloaded.statusCode).toBe(200);
    // Its label sets go with it: names loaded and unloaded at run time do not pile up in /metrics.
    expect((await app.inject({ url: '/metrics' })).body).not.toMatch(/model="beta"/);
    expect(unloaded.body).toBe("Success: LoRA adapter 'beta' removed successfully.");
    expect((await post(app, '/v1/completions', { model: 'beta', prompt: [5], max_tokens: 1 })).statusCode).toBe(404);
    expect((await post(app, '/v1/unload_lora_adapter', { lora_name: 'beta' })).statusCode).toBe(404);
    expect((await post(app, '/v1/load_lora_adapter', { lora_name: 'beta', lora_path: 'beta' })).statusCode).toBe(200);
  });

  it('chainlm-serve --adapters serves an adapter from the command line', async () => {
    const bin = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../dist/bin/chainlm-serve.js');
    const child = spawn(process.execPath, [bin, dir, '--port', '0', '--model-name', 'tiny', '--adapters', `alpha=${join(root, 'alpha')}`, '--adapter-root', root, '--cache-max-entry-count', '0.01'], { stdio: ['ignore', 'ignore', 'pipe'] });
    try {
      let log = '';
      const address = await new Promise<string>((done, fail) => {
        child.stderr.on('data', (chunk) => {
          log += chunk;
          const match = /serving "tiny" at (\S+)\/v1/.exec(log);
          if (match) done(match[1]);
        });
        child.once('exit', (code) => fail(new Error(`exited ${code}: ${log}`)));
      });
      expect(log).toMatch(/LoRA adapter "alpha" \(.*alpha\) on "tiny"/);
      const models = (await (await fetch(`${address}/v1/models`)).json()).data;
      expect(models.map((model: { id: string; parent: string | null }) => [model.id, model.parent])).toEqual([['tiny', null], ['alpha', 'tiny']]);
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);

  it('refuses bad start-up adapters', async () => {
    const model = await loadServedModel(dir, { id: 'tiny', engine: { maxSeqs: 2, cacheGiB: 0.005 } });
    await expect(createServer([model], { adapters: [{ name: 'x', path: join(root, 'empty') }] })).rejects.toThrow(/adapter x=.*not a PEFT LoRA folder/);
    await expect(createServer([model], { adapterRoot: join(root, 'nope') })).rejects.toThrow(/adapter root .* is not a folder/);
    await model.engine.close();
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (chunk) => (text += chunk));
    expect(await runProgram(program, [dir, '--adapters', 'no-equals-sign'], { stdout: new PassThrough(), stderr })).toBe(2);
    expect(text).toMatch(/--adapters: "no-equals-sign" is not name=path/);
  });
});
