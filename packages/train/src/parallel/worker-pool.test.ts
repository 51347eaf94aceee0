/**
 * Data parallelism: 2 worker replicas give the same gradient as one replica on the
 * whole batch (up to float32 summation order), bit-identical from run to run.
 * Workers run the package's dist build (`npx tsc -b packages/train` first).
 */
import { initBackend } from '@chainlm/runtime';
import { beforeAll, describe, expect, it } from 'vitest';
import { bytesPacked, storyTexts, tinySpec } from '../__tests__/fixtures.js';
import { makeBatch } from '../data/train-batch.js';
import { LocalEngine } from '../loop/local-engine.js';
import { WorkerPool } from './worker-pool.js';

beforeAll(async () => {
  await initBackend();
});

describe('WorkerPool', () => {
  it('matches the single replica and is deterministic', async () => {
    const rows = await bytesPacked(await storyTexts(30), 33);
    const batches = [makeBatch(rows, [0, 1, 2, 3]), makeBatch(rows, [4, 5, 6, 7])];
    const local = await LocalEngine.create(tinySpec());
    const expected = new Float32Array(local.layout.size);
    const localLoss = await local.accumulateGradients(batches, 0, expected);
    const params = new Float32Array(local.layout.size);
    await local.readParams(params);
    await local.dispose();

    const pool = await WorkerPool.create(tinySpec(), 2);
    try {
      const poolParams = new Float32Array(pool.layout.size);
      await pool.readParams(poolParams);
      expect(poolParams).toEqual(params);
      const first = new Float32Array(pool.layout.size);
      const second = new Float32Array(pool.layout.size);
      const poolLoss = await pool.accumulateGradients(batches, 0, first);
      await pool.accumulateGradients(batches, 0, second);
      expect(second).toEqual(first);
      expect(poolLoss.tokens).toBe(localLoss.tokens);
      expect(poolLoss.lossSum).toBeCloseTo(localLoss.lossSum, 2);
      let worst = 0;
      let largest = 0;
      for (let index = 0; index < first.length; index++) {
        worst = Math.max(worst, Math.abs(first[index] - expected[index]));
        largest = Math.max(largest, Math.abs(expected[index]));
      }
      expect(worst / largest).toBeLessThan(1e-4);
      const evaluation = await pool.evaluate(batches);
      expect(evaluation.lossSum).toBeCloseTo(localLoss.lossSum, 2);
      // New parameters reach every replica: a zero update leaves the loss, a changed one moves it.
      poolParams[0] += 1;
      await pool.writeParams(poolParams);
      expect((await pool.evaluate(batches)).lossSum).not.toBeCloseTo(localLoss.lossSum, 3);
    } finally {
      await pool.dispose();
    }
  });
});
