/**
 * Picks the TensorFlow.js backend: tensorflow-gpu → tensorflow → wasm → cpu, or the
 * one named by CHAINLM_BACKEND. The first two come from optionalDependencies
 * (@tensorflow/tfjs-node-gpu, @tensorflow/tfjs-node) whose install downloads
 * libtensorflow; where that failed npm skipped them and we say so. The wasm binaries
 * are loaded from node_modules, never from the network.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ChainlmError } from '@chainlm/core';
import type { KernelsStatus } from '@chainlm/kernels';
import { installNativeMatmul } from './native-matmul.js';
import { registerWasmExtraKernels } from './wasm-kernels.js';

export const backendNames = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof backendNames)[number];

export interface BackendAttempt {
  backend: BackendName;
  status: 'live' | 'skipped' | 'failed' | 'not-tried';
  reason: string;
}

export interface BackendReport {
  backend: BackendName;
  /** The tfjs backend name registered (e.g. `tensorflow` for both node backends). */
  tfjsBackend: string;
  forced: boolean;
  attempts: BackendAttempt[];
  gpu: { usable: boolean; reason: string };
  /** Where matmuls run: @chainlm/kernels' native SGEMM behind the wasm backend, or not and why. */
  kernels: KernelsStatus;
}

const require = createRequire(import.meta.url);
let current: Promise<BackendReport> | undefined;

/** Initialises the backend once per process and reports which is live and why. */
export function initBackend(options: { prefer?: string } = {}): Promise<BackendReport> {
  current ??= selectBackend(options.prefer ?? process.env.CHAINLM_BACKEND);
  return current;
}

async function selectBackend(prefer: string | undefined): Promise<BackendReport> {
  if (prefer !== undefined && prefer !== '' && !backendNames.includes(prefer as BackendName)) {
    throw new ChainlmError('backend-unknown', `CHAINLM_BACKEND="${prefer}" is not a backend`, {
      hint: `use one of ${backendNames.join(', ')}`,
      exitCode: 2,
    });
  }
  const order: BackendName[] = prefer ? [prefer as BackendName] : [...backendNames];
  const attempts: BackendAttempt[] = [];
  for (const backend of order) {
    const reason = await tryBackend(backend);
    if (reason === undefined) {
      for (const later of backendNames) {
        if (!attempts.some((attempt) => attempt.backend === later) && later !== backend) {
          attempts.push({ backend: later, status: 'not-tried', reason: prefer ? `CHAINLM_BACKEND=${prefer}` : `${backend} is live` });
        }
      }
      attempts.push({ backend, status: 'live', reason: prefer ? `forced by CHAINLM_BACKEND` : 'first usable in order' });
      attempts.sort((a, b) => backendNames.indexOf(a.backend) - backendNames.indexOf(b.backend));
      const gpuAttempt = attempts.find((attempt) => attempt.backend === 'tensorflow-gpu')!;
      return {
        backend,
        tfjsBackend: tf.getBackend(),
        forced: Boolean(prefer),
        attempts,
        gpu: { usable: backend === 'tensorflow-gpu', reason: backend === 'tensorflow-gpu' ? 'tfjs-node-gpu is live' : gpuAttempt.reason },
        kernels: backend === 'wasm' ? installNativeMatmul() : { live: 'wasm', reason: `the ${backend} backend is live; the native kernels plug into the wasm backend only` },
      };
    }
    attempts.push({ backend, status: reason.startsWith('not installed') ? 'skipped' : 'failed', reason });
  }
  throw new ChainlmError('backend-none', `no TensorFlow.js backend could start: ${attempts.map((attempt) => `${attempt.backend}: ${attempt.reason}`).join('; ')}`, {
    hint: 'reinstall with `npm ci`; set CHAINLM_BACKEND=cpu to use the pure-JS backend',
  });
}

/** Returns undefined when the backend is now live, else why not. */
async function tryBackend(backend: BackendName): Promise<string | undefined> {
  try {
    switch (backend) {
      case 'tensorflow-gpu':
      case 'tensorflow': {
        const packageName = backend === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
        try {
          require.resolve(`${packageName}/package.json`);
        } catch {
          return `not installed (${packageName} is optional; its install downloads libtensorflow, which needs internet)`;
        }
        await import(packageName);
        if (!(await tf.setBackend('tensorflow'))) return 'libtensorflow did not initialise';
        return undefined;
      }
      case 'wasm': {
        const wasmModule = await import('@tensorflow/tfjs-backend-wasm');
        const distDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
        wasmModule.setWasmPaths(`${distDir}/`);
        if (!(await tf.setBackend('wasm'))) return 'wasm backend did not initialise';
        await tf.ready();
        registerWasmExtraKernels();
        return undefined;
      }
      case 'cpu':
        if (!(await tf.setBackend('cpu'))) return 'cpu backend did not initialise';
        return undefined;
    }
  } catch (error) {
    return `failed to load: ${(error as Error).message.split('\n')[0]}`;
  }
}

export interface MemoryReport {
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  arrayBuffersBytes: number;
  tensors: number;
  tensorBytes: number;
}

export function memoryReport(): MemoryReport {
  const usage = process.memoryUsage();
  const tensors = tf.memory();
  return {
    rssBytes: usage.rss,
    heapUsedBytes: usage.heapUsed,
    externalBytes: usage.external,
    arrayBuffersBytes: usage.arrayBuffers,
    tensors: tensors.numTensors,
    tensorBytes: tensors.numBytes,
  };
}

/** Measures matmul throughput on the live backend: GFLOP/s for an n×n by n×n product. */
export async function probeMatmul(size = 512, repeats = 5): Promise<{ size: number; gflops: number; msPerMatmul: number }> {
  const a = tf.randomNormal([size, size], 0, 1, 'float32', 1);
  const b = tf.randomNormal([size, size], 0, 1, 'float32', 2);
  try {
    tf.tidy(() => tf.matMul(a, b)).dataSync();
    const start = performance.now();
    for (let index = 0; index < repeats; index++) {
      const product = tf.matMul(a, b);
      await product.data();
      product.dispose();
    }
    const ms = (performance.now() - start) / repeats;
    return { size, gflops: (2 * size ** 3) / (ms * 1e6), msPerMatmul: ms };
  } finally {
    a.dispose();
    b.dispose();
  }
}

export { tf };
