/**
 * Done-when: greedy outputs are identical whether a request runs alone, in a batch
 * of 64 with others, after preemption, or with a prefix-cache hit — on stories260K
 * against llama2.c's golden ids.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { skipUnlessPresent } from '@chainlm/core';
import { initBackend } from '@chainlm/runtime';
import { stepModelFrom } from '../model/step-model.js';
import { loadStories260K, storiesPath, type Stories } from '../testing/stories260k.js';
import type { EngineConfigInput } from '../config/engine-config.js';
import { Engine } from './engine.js';
import type { RequestFinishEvent } from './events.js';


const greedy = (maxTokens: number) => ({ temperature: 0, maxTokens, ignoreEos: true });

function collect(engine: Engine, promptTokenIds: number[], maxTokens: number, requestId?: string): Promise<RequestFinishEvent> {
  return new Promise((resolve) => engine.addRequest({ requestId, promptTokenIds, sampling: greedy(maxTokens) }, (event) => event.type === 'request-finish' && resolve(event)));
}

function random(seed: number) {
  return () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe.skipIf(skipUnlessPresent(Boolean(storiesPath), 'the engine golden tests load ../shared/models/stories260K (check ../shared out beside the repo)'))('engine on stories260K: golden greedy ids in every schedule', () => {
  let stories: Stories;
  const engines: Engine[] = [];
  const engine = (config: EngineConfigInput) => {
    const created = new Engine(stepModelFrom(stories.model), { config: { capToUsable: false, ...config } });
    engines.push(created);
    return created;
  };

  beforeAll(async () => {
    await initBackend();
    stories = await loadStories260K();
  });

  afterAll(async () => {
    for (const created of engines) await created.close();
    stories?.model.dispose();
  });

  it('alone', async () => {
    const solo = engine({ cacheGiB: 0.01, blockSize: 16 });
    const result = await collect(solo, [1], stories.goldenIds.length);
    expect(result.outputs[0].tokenIds).toEqual(stories.goldenIds);
    expect(result.outputs[0].finishReason).toBe('length');
    expect(solo.metrics().kvBlocksUsed).toBe(0);
  });

  it('in a batch of 64 with chunked prefill of other prompts', async () => {
    const batch = engine({ cacheGiB: 0.05, blockSize: 16, maxSeqs: 64, maxBatchTokens: 192 });
    const next = random(3);
    const others = Array.from({ length: 63 }, (_, index) => {
      const prompt = Array.from({ length: 1 + Math.floor(next() * 90) }, () => 3 + Math.floor(next() * 500));
      return collect(batch, prompt, 8 + (index % 40));
    });
    const target = collect(batch, [1], stories.goldenIds.length);
    expect(batch.metrics().waiting).toBe(64);
    const [result] = await Promise.all([target, ...others]);
    expect(result.outputs[0].tokenIds).toEqual(stories.goldenIds);
    expect(batch.metrics().steps).toBeLessThan(stories.goldenIds.length + 40);
  });

  it('after preemption', async () => {
    // 20 blocks of 8 = 160 slots: three 120-token requests cannot all stay resident.
    const tight = engine({ cacheGiB: (20 * 8 * 2 * 5 * 4 * 8 * 4) / 1024 ** 3, blockSize: 8, maxBatchTokens: 64 });
    expect(tight.plan.numBlocks).toBe(20);
    const first = collect(tight, [1, 5, 9], 110);
    const second = collect(tight, [1, 7], 110);
    const target = collect(tight, [1], 120);
    const [result] = await Promise.all([target, first, second]);
    expect(result.metrics.numPreemptions).toBeGreaterThan(0);
    expect(result.outputs[0].tokenIds).toEqual(stories.goldenIds.slice(0, 120));
    expect(tight.metrics().kvBlocksFree).toBe(20);
  });

  it('with a prefix-cache hit', async () => {
    const cached = engine({ cacheGiB: 0.01, blockSize: 8 });
    const prompt = [1, ...stories.goldenIds.slice(0, 40)];
    const expected = stories.goldenIds.slice(40, 100);
    const cold = await collect(cached, prompt, 60);
    const warm = await collect(cached, prompt, 60);
    expect(cold.metrics.prefixHitTokens).toBe(0);
    expect(warm.metrics.prefixHitTokens).toBe(40);
    expect(cold.outputs[0].tokenIds).toEqual(expected);
    expect(warm.outputs[0].tokenIds).toEqual(expected);
    expect(cached.metrics().prefixHitRate).toBeGreaterThan(0.45);
  });
});
