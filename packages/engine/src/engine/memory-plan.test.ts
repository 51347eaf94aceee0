import { describe, expect, it } from 'vitest';
import { parseEngineConfig } from '../config/engine-config.js';
import { formatMemoryPlan, kvBytesPerToken, planMemory } from './memory-plan.js';

const shape = { vocabSize: 512, hiddenSize: 64, numLayers: 5, numHeads: 8, numKvHeads: 4, headDim: 8, maxPositionEmbeddings: 512, bosTokenId: 1, eosTokenId: 2 };

describe('planMemory', () => {
  it('sizes blocks from an explicit GiB budget and reports the largest context', () => {
    expect(kvBytesPerToken(shape, 'float32')).toBe(2 * 5 * 4 * 8 * 4);
    expect(kvBytesPerToken(shape, 'int8')).toBe(2 * 5 * 4 * (8 + 4));
    const plan = planMemory(shape, 1000, parseEngineConfig({ cacheGiB: 1 / 1024, blockSize: 16, capToUsable: false }), 0);
    expect(plan.kvBytesPerBlock).toBe(1280 * 16);
    expect(plan.numBlocks).toBe(Math.floor(1024 ** 2 / (1280 * 16)));
    expect(plan.maxContextPerRequest).toBe(512);
    expect(formatMemoryPlan(plan)).toMatch(/KV blocks +51 /);
  });

  it('takes a fraction of the free memory and caps at what maxSeqs can use', () => {
    const plan = planMemory(shape, 0, parseEngineConfig({ cacheMaxEntryCount: 0.5, maxSeqs: 2, blockSize: 16 }), 1024 ** 3);
    expect(plan.numBlocks).toBe(2 * 32);
    expect(plan.budgetSource).toMatch(/cacheMaxEntryCount 0.5/);
  });

  it('a budget below one block is a usage error that says what to raise', () => {
    expect(() => planMemory(shape, 0, parseEngineConfig({ cacheGiB: 1e-9 }), 0)).toThrow(/holds no .*block/);
  });

  it('the config rejects unknown keys', () => {
    expect(() => parseEngineConfig({ blockSize: 16, bogus: 1 } as never)).toThrow(/bogus/);
  });
});
