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
