import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@chainlm/runtime';
import { createModel, presetConfig } from '@chainlm/model';
import { Engine } from '../engine/engine.js';
import type { RequestFinishEvent } from '../engine/events.js';
import { kvBytesPerToken } from '../engine/memory-plan.js';
import { stepModelFrom } from '../model/step-model.js';
import { TensorParallelModel } from './tensor-parallel.js';
import { makeShard } from './tp-shard.js';

const blockSize = 16;
const numBlocks = 40;
const requests = [[1, 5, 7], [1, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9], [1]].map((promptTokenIds) => ({ promptTokenIds, sampling: { temperature: 0, maxTokens: 10, ignoreEos: true } }));

function run(engine: Engine) {
  return Promise.all(requests.map((request) => new Promise<RequestFinishEvent>((resolve) => engine.addRequest(request, (event) => event.type === 'request-finish' && resolve(event)))));
}

const faultConfig = (model: { config: Parameters<typeof kvBytesPerToken>[0] }) => ({ cacheGiB: ((numBlocks + 0.5) * blockSize * kvBytesPerToken(model.config, 'float32')) / 1024 ** 3, blockSize, maxBatchTokens: 64, capToUsable: false });

// The vitest timeout is the hang detector: before, the front stayed in Atomics.wait for ever.
describe('a tensor-parallel rank that fails (test-only fault hook)', () => {
  it('a rank that throws finishes every pending request with the error, and the engine refuses new work', async () => {
    await initBackend();
    const faulty = await TensorParallelModel.create({ preset: 'tiny', seed: 6, world: 2, numBlocks, blockSize, maxRows: 64, testOnlyFault: { rank: 1, step: 3 } });
    const engine = new Engine(faulty, { config: faultConfig(faulty) });
    try {
      const finished = await run(engine);
      expect(finished.map((event) => event.errorCode)).toEqual(['engine-rank-failed', 'engine-rank-failed', 'engine-rank-failed']);
      expect(finished[0].error).toMatch(/rank 1 threw: test-only fault injected in rank 1 at step 3/);
      expect(() => engine.addRequest(requests[0])).toThrow(expect.objectContaining({ code: 'engine-failed' }));
      expect(engine.bookkeeping()).toEqual({ requests: 0, listeners: 0, adapterRequests: 0, sequences: 0, blockTables: 0 });
    } finally {
      await engine.close();
      await faulty.close();
    }
  }, 30_000);

  it('a rank that dies without a word fails the step at its deadline', async () => {
    await initBackend();
    const faulty = await TensorParallelModel.create({ preset: 'tiny', seed: 6, world: 2, numBlocks, blockSize, maxRows: 64, stepTimeoutMs: 1000, testOnlyFault: { rank: 0, step: 2, kind: 'exit' } });
    const engine = new Engine(faulty, { config: faultConfig(faulty) });
    try {
      const started = performance.now();
      const finished = await run(engine);
      expect(performance.now() - started).toBeLessThan(10_000);
      expect(finished.every((event) => event.errorCode === 'engine-rank-failed')).toBe(true);
      // Whichever waits longest notices: the front's step deadline or the surviving rank's barrier deadline.
      expect(finished[0].error).toMatch(/did not finish within 1000 ms|did not reach the barrier within 1000 ms/);
      expect(() => engine.addRequest(requests[0])).toThrow(/cannot run any more/);
    } finally {
      await engine.close();
      await faulty.close();
    }
  }, 30_000);
});

describe('TensorParallelModel (2 worker ranks; runs the built worker from dist/)', () => {
  let tp: TensorParallelModel;
  beforeAll(async () => {
    await initBackend();
    tp = await TensorParallelModel.create({ preset: 'tiny', seed: 6, world: 2, numBlocks, blockSize, maxRows: 64 });
  });
  afterAll(async () => tp?.close());

  it('generates the same greedy tokens as the unsplit model through the same engine', async () => {
    const model = createModel(presetConfig('tiny'), undefined, { seed: 6 });
    const cacheGiB = ((numBlocks + 0.5) * blockSize * kvBytesPerToken(model.config, 'float32')) / 1024 ** 3;
    const config = { cacheGiB, blockSize, maxBatchTokens: 64, capToUsable: false };
    const single = new Engine(stepModelFrom(model), { config });
    const parallel = new Engine(tp, { config });
    expect(parallel.plan.numBlocks).toBe(numBlocks);
    const expected = await run(single);
    const actual = await run(parallel);
    expect(actual.map((event) => event.outputs[0].tokenIds)).toEqual(expected.map((event) => event.outputs[0].tokenIds));
    await single.close();
    await parallel.close();
    model.dispose();
  });

  it('refuses a split that does not divide the heads', () => {
    const model = createModel(presetConfig('tiny'), undefined, { seed: 1 });
    expect(() => makeShard(model, 0, 3)).toThrow(/divisible by 3/);
    model.dispose();
  });
});
