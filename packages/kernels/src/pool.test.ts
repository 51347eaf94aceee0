import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { addonPath, loadKernels, nativeBinding } from './index.js';

const native = loadKernels().live === 'native';

// Each worker loads the addon (as a replica or a data-parallel worker does), runs the
// same GEMMs concurrently with the others, and reports the pool size it sees.
const workerCode = `
const { parentPort, workerData } = require('node:worker_threads');
const kernels = require(workerData.addonPath);
const { m, n, k } = workerData;
const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i));
const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i));
const c = new Float32Array(m * n);
for (let round = 0; round < 20; round++) kernels.sgemm(a, 0, b, 0, c, 0, 1, m, n, k, k, 1, 0, n, 1, 0, n, 0, null, 0, 0, 0, 0);
parentPort.postMessage({ info: kernels.info(), c });
`;

describe.skipIf(!native)('the process-wide pool', () => {
  it('is shared by worker threads: N workers never start N×cores threads, and concurrent calls stay exact', async () => {
    const before = nativeBinding().info();
    const [m, n, k] = [96, 300, 200];
    const results = await Promise.all([0, 1, 2].map(() => new Promise<{ info: { poolThreads: number }; c: Float32Array }>((resolve, reject) => {
      const worker = new Worker(workerCode, { eval: true, workerData: { addonPath, m, n, k } });
      worker.once('message', (message) => { resolve(message); void worker.terminate(); });
      worker.once('error', reject);
    })));
    for (const result of results) {
      expect(result.info.poolThreads).toBe(before.poolThreads);
      expect(Buffer.from(result.c.buffer).equals(Buffer.from(results[0].c.buffer))).toBe(true);
    }
    expect(nativeBinding().info().poolThreads).toBe(before.poolThreads);
  });
});
