import { describe, expect, it } from 'vitest';
import { loadKernels, parseMode, parseThreads, resetKernelsForTest } from './index.js';

describe('loading the native kernels', () => {
  it('CHAINLM_KERNELS=wasm turns them off, with the reason', () => {
    resetKernelsForTest();
    try {
      expect(loadKernels({ CHAINLM_KERNELS: 'wasm' })).toEqual({ live: 'wasm', reason: 'turned off by CHAINLM_KERNELS=wasm' });
    } finally {
      resetKernelsForTest();
    }
  });

  it('a bad setting is a reason, not a crash', () => {
    resetKernelsForTest();
    try {
      const status = loadKernels({ CHAINLM_THREADS: 'lots' });
      expect(status).toEqual({ live: 'wasm', reason: expect.stringMatching(/CHAINLM_THREADS="lots" is not a thread count/) });
    } finally {
      resetKernelsForTest();
    }
  });

  it('parses CHAINLM_THREADS and CHAINLM_KERNELS', () => {
    expect(parseThreads(undefined)).toBeUndefined();
    expect(parseThreads('')).toBeUndefined();
    expect(parseThreads('3')).toBe(3);
    for (const bad of ['0', '-1', '1.5', 'x', '5000']) expect(() => parseThreads(bad)).toThrow(/not a thread count/);
    expect(parseMode(undefined)).toBe('native');
    expect(parseMode('native')).toBe('native');
    expect(parseMode('wasm')).toBe('wasm');
    expect(() => parseMode('fast')).toThrow(/not a kernel choice/);
  });

  it('loads here (the addon is built by npm ci), or says why not', () => {
    const status = loadKernels();
    if (status.live === 'native') {
      expect(status.threads).toBeGreaterThanOrEqual(1);
      expect(status.supported).toContain('portable');
      expect(status.supported).toContain(status.isa);
    } else {
      expect(status.reason.length).toBeGreaterThan(0);
    }
  });
});
