import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import { initBackend } from '@chainlm/runtime';
import { createModel, presetConfig, type Model } from '@chainlm/model';
import { stepModelFrom } from '../model/step-model.js';
import { loadStories260K, storiesPath, type Stories } from '../testing/stories260k.js';
import { Engine, type GenerateRequest } from './engine.js';
import type { EngineEvent, RequestFinishEvent } from './events.js';


function finish(engine: Engine, request: GenerateRequest): Promise<RequestFinishEvent> {
  return new Promise((resolve) => engine.addRequest(request, (event) => event.type === 'request-finish' && resolve(event)));
}

/** A byte-level tokenizer (id = one UTF-8 byte) with a real streaming UTF-8 decoder. */
const byteTokenizer = {
  eosId: null,
  encode: (text: string) => Array.from(new TextEncoder().encode(text)),
  decode: (ids: readonly number[]) => new TextDecoder().decode(new Uint8Array(ids)),
  createStreamDecoder() {
    const decoder = new TextDecoder('utf-8');
    return { push: (id: number) => decoder.decode(new Uint8Array([id]), { stream: true }), flush: () => decoder.decode() };
  },
};

describe.skipIf(skipUnlessPresent(Boolean(storiesPath), 'the engine feature tests load ../shared/models/stories260K (check ../shared out beside the repo)'))('Engine features on stories260K', () => {
  let stories: Stories;
  let engine: Engine;

  beforeAll(async () => {
    await initBackend();
    stories = await loadStories260K();
    engine = new Engine(stepModelFrom(stories.model), { config: { cacheGiB: 0.01, blockSize: 8, capToUsable: false } });
  });

  afterAll(async () => {
    await engine?.close();
    stories?.model.dispose();
  });

  it('n > 1 with a seed: samples share the prompt blocks, differ, and repeat exactly alone or in a batch', async () => {
    const request = { promptTokenIds: [1, 461, 461, 401, 401, 401, 461, 378, 455, 473, 456], sampling: { n: 3, seed: 11, maxTokens: 20, temperature: 1, ignoreEos: true } };
    const alone = await finish(engine, request);
    expect(alone.outputs.map((output) => output.tokenIds.length)).toEqual([20, 20, 20]);
    expect(new Set(alone.outputs.map((output) => output.tokenIds.join())).size).toBeGreaterThan(1);
    const noise = [finish(engine, { promptTokenIds: [1, 2, 3], sampling: { maxTokens: 30, seed: 1 } }), finish(engine, { promptTokenIds: [1, 9], sampling: { maxTokens: 5, seed: 2 } })];
    const batched = await finish(engine, request);
    await Promise.all(noise);
    expect(batched.outputs.map((output) => output.tokenIds)).toEqual(alone.outputs.map((output) => output.tokenIds));
    expect(engine.metrics().kvBlocksUsed).toBe(0);
  });

  it('stops at a stop token id and reports it', async () => {
    const result = await finish(engine, { promptTokenIds: [1], sampling: { temperature: 0, stopTokenIds: [stories.goldenIds[6]], maxTokens: 50 } });
    expect(result.outputs[0]).toMatchObject({ tokenIds: stories.goldenIds.slice(0, 7), finishReason: 'stop', stopReason: stories.goldenIds[6] });
  });

  it('returns raw logprobs, and prompt logprobs whose argmax is the greedy continuation', async () => {
    const prompt = [1, ...stories.goldenIds.slice(0, 12)];
    const result = await finish(engine, { promptTokenIds: prompt, sampling: { temperature: 0, maxTokens: 3, logprobs: 2, promptLogprobs: 1, ignoreEos: true } });
    const logprobs = result.outputs[0].logprobs!;
    expect(logprobs.map((entry) => entry.tokenId)).toEqual(stories.goldenIds.slice(12, 15));
    for (const entry of logprobs) {
      expect(entry.top![0].tokenId).toBe(entry.tokenId);
      expect(entry.top![0].logprob).toBeCloseTo(entry.logprob, 6);
      expect(entry.logprob).toBeLessThan(0);
    }
    const promptLogprobs = result.promptLogprobs!;
    expect(promptLogprobs.map((entry) => entry.position)).toEqual(Array.from({ length: 12 }, (_, index) => index + 1));
    for (const entry of promptLogprobs) {
      expect(entry.tokenId).toBe(prompt[entry.position]);
      expect(entry.top[0].tokenId).toBe(entry.tokenId); // the prompt *is* the greedy path
      expect(entry.top[0].logprob).toBeCloseTo(entry.logprob, 6);
    }
  });

  it('generate streams deltas; breaking out aborts and frees the blocks at once', async () => {
    const events: EngineEvent[] = [];
    for await (const event of engine.generate({ promptTokenIds: [1], sampling: { temperature: 0, maxTokens: 100, ignoreEos: true } })) {
      events.push(event);
      if (events.length === 5) break;
    }
    expect(events.every((event) => event.type === 'text-delta')).toBe(true);
    expect(events.map((event) => (event.type === 'text-delta' ? event.tokenIds[0] : -1))).toEqual(stories.goldenIds.slice(0, 5));
    expect(engine.metrics().kvBlocksUsed).toBe(0);
    await engine.idle();
  });

  it('abort ends a running request with finishReason abort', async () => {
    const done = finish(engine, { requestId: 'long', promptTokenIds: [1], sampling: { maxTokens: 200, ignoreEos: true } });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(engine.abort('long')).toBe(true);
    expect(engine.metrics().kvBlocksUsed).toBe(0);
    const result = await done;
    expect(result.outputs[0].finishReason).toBe('abort');
    expect(result.outputs[0].tokenIds.length).toBeLessThan(200);
    expect(engine.abort('long')).toBe(false);
  });

  it('rejects bad requests, naming the field', () => {
    expect(() => engine.addRequest({ promptTokenIds: [1, 600] })).toThrow(/promptTokenIds: token id 600/);
    expect(() => engine.addRequest({ promptTokenIds: [] })).toThrow(/promptTokenIds: is empty/);
    expect(() => engine.addRequest({ prompt: 'hi' })).toThrow(/needs a tokenizer/);
    expect(() => engine.addRequest({})).toThrow(/neither prompt nor promptTokenIds/);
    expect(() => engine.addRequest({ promptTokenIds: [1], sampling: { stop: ['x'] } })).toThrow(/stop strings need a tokenizer/);
    expect(() => engine.addRequest({ promptTokenIds: new Array(600).fill(1) })).toThrow(/largest context is 512/);
    engine.addRequest({ requestId: 'dup', promptTokenIds: [1], sampling: { maxTokens: 1 } });
    expect(() => engine.addRequest({ requestId: 'dup', promptTokenIds: [1] })).toThrow(/already running/);
  });

  it('refuses requests after close', async () => {
    const closing = new Engine(stepModelFrom(stories.model), { config: { cacheGiB: 0.001, blockSize: 16 } });
    await closing.close();
    expect(() => closing.addRequest({ promptTokenIds: [1] })).toThrow(/engine was closed/);
  });

  it('prints the memory plan at start', () => {
    const lines: string[] = [];
    const planned = new Engine(stepModelFrom(stories.model), { config: { cacheGiB: 0.001, blockSize: 16, printPlan: true, kvStore: 'host' }, log: (line) => lines.push(line) });
    expect(lines.join('\n')).toMatch(/weights +1\.0 MiB[\s\S]*KV blocks +\d+[\s\S]*largest context +\d+ tokens per request/);
    expect(planned.plan.maxContextPerRequest).toBe(Math.min(512, planned.plan.numBlocks * 16));
  });
});

describe('Engine text streaming with a tokenizer', () => {
  let model: Model;
  beforeAll(async () => {
    await initBackend();
    model = createModel(presetConfig('tiny', { vocabSize: 256, numLayers: 1, hiddenSize: 32, numHeads: 2, numKvHeads: 1, intermediateSize: 64, maxPositionEmbeddings: 128 }), undefined, { seed: 5 });
  });
  afterAll(() => model?.dispose());

  it('cuts the text at a stop string that a first run produced', async () => {
    const engine = new Engine(stepModelFrom(model), { tokenizer: byteTokenizer, config: { cacheGiB: 0.001, blockSize: 8, kvCacheDtype: 'int8' } });
    const request = { prompt: 'hello', sampling: { temperature: 0, maxTokens: 40, ignoreEos: true } };
    const free = await finish(engine, request);
    const text = free.outputs[0].text;
    expect(text.length).toBeGreaterThan(8);
    const stop = text.slice(6, 8);
    const deltas: string[] = [];
    const stopped = await new Promise<RequestFinishEvent>((resolve) =>
      engine.addRequest({ ...request, sampling: { ...request.sampling, stop: [stop] } }, (event) => (event.type === 'text-delta' ? deltas.push(event.text) : resolve(event))),
    );
    expect(stopped.outputs[0]).toMatchObject({ text: text.slice(0, text.indexOf(stop)), finishReason: 'stop', stopReason: stop });
    expect(deltas.join('')).toBe(stopped.outputs[0].text);
    await engine.close();
  });
});
