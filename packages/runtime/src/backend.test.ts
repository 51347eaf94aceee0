import { describe, expect, it } from 'vitest';
import { initBackend, memoryReport, probeMatmul, tf } from './index.js';

describe('initBackend', () => {
  it('goes live on wasm here and says why the node backends were skipped', async () => {
    const report = await initBackend();
    const expected = process.env.CHAINLM_BACKEND ?? 'wasm';
    expect(report.backend).toBe(expected);
    expect(tf.getBackend()).toBe(report.tfjsBackend);
    const live = report.attempts.filter((attempt) => attempt.status === 'live');
    expect(live.map((attempt) => attempt.backend)).toEqual([expected]);
    if (expected === 'wasm') {
      const gpu = report.attempts.find((attempt) => attempt.backend === 'tensorflow-gpu')!;
      expect(gpu.status).toBe('skipped');
      expect(gpu.reason).toMatch(/not installed/);
      expect(report.gpu.usable).toBe(false);
    }
  });

  it('trains through gather: the embedding gradient (UnsortedSegmentSum) works', async () => {
    await initBackend();
    const table = tf.variable(tf.tensor2d([[1, 2], [3, 4], [5, 6]]));
    const ids = tf.tensor1d([2, 0, 2], 'int32');
    const gradient = tf.grad((weights: tf.Tensor) => tf.sum(tf.gather(weights, ids)))(table);
    expect(Array.from(gradient.dataSync())).toEqual([1, 1, 0, 0, 2, 2]);
  });

  it('measures matmul throughput and memory', async () => {
    await initBackend();
    const probe = await probeMatmul(128, 2);
    expect(probe.gflops).toBeGreaterThan(0);
    const memory = memoryReport();
    expect(memory.rssBytes).toBeGreaterThan(0);
    expect(memory.tensors).toBeGreaterThanOrEqual(0);
  });
});
