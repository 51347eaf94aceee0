import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@chainlm/runtime';
import { createModel, presetConfig } from '@chainlm/model';
import { Engine } from '../engine/engine.js';
import type { RequestFinishEvent } from '../engine/events.js';
import { stepModelFrom } from '../model/step-model.js';
import { ReplicaPool } from './replica-pool.js';

const config = { cacheGiB: 0.01, blockSize: 16, maxSeqs: 8 };
const requests = [[1, 5], [1, 9, 9, 9], [1], [1, 200, 3]].map((promptTokenIds) => ({ promptTokenIds, sampling: { temperature: 0, maxTokens: 12, ignoreEos: true } }));

describe('ReplicaPool (worker threads; runs the built worker from dist/)', () => {
  let pool: ReplicaPool;
  beforeAll(async () => {
    await initBackend();
    pool = await ReplicaPool.create(2, { preset: 'tiny', seed: 4 }, config);
  });
  afterAll(async () => pool?.close());

  it('spreads requests over replicas and matches a single in-thread engine token for token', async () => {
    const pooled = await Promise.all(requests.map((request) => new Promise<RequestFinishEvent>((resolve) => pool.addRequest(request, (event) => event.type === 'request-finish' && resolve(event)))));
    const model = createModel(presetConfig('tiny'), undefined, { seed: 4 });
    const engine = new Engine(stepModelFrom(model), { config });
    const local = await Promise.all(requests.map((request) => new Promise<RequestFinishEvent>((resolve) => engine.addRequest(request, (event) => event.type === 'request-finish' && resolve(event)))));
    expect(pooled.map((event) => event.outputs[0].tokenIds)).toEqual(local.map((event) => event.outputs[0].tokenIds));
    await engine.close();
    model.dispose();
  });

  it('a request a replica rejects finishes with its error', async () => {
    const event = await new Promise<RequestFinishEvent>((resolve) => pool.addRequest({ promptTokenIds: [99999] }, (finished) => finished.type === 'request-finish' && resolve(finished)));
    expect(event.error).toMatch(/token id 99999/);
  });

  it('rejects a bad replica count', async () => {
    await expect(ReplicaPool.create(0, { preset: 'tiny', seed: 1 }, config)).rejects.toThrow(/replicas must be a positive integer/);
  });
});
