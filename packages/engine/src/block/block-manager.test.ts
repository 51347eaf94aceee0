import { describe, expect, it } from 'vitest';
import { BlockManager } from './block-manager.js';

const manager = (numBlocks: number, blockSize = 2, enablePrefixCaching = true) => new BlockManager({ numBlocks, blockSize, enablePrefixCaching });

describe('BlockManager', () => {
  it('hands out blocks 0, 1, 2… and frees them tail first', () => {
    const blocks = manager(4);
    expect(blocks.allocateSlots(1, 0, 3)).toEqual({ newBlockIds: [0, 1], copies: [] });
    expect(blocks.allocateSlots(2, 0, 1)).toEqual({ newBlockIds: [2], copies: [] });
    // One more token for sequence 1 still fits block 1 (slot 3 of 4).
    expect(blocks.allocateSlots(1, 3, 1)).toEqual({ newBlockIds: [], copies: [] });
    expect(blocks.blockTable(1)).toEqual([0, 1]);
    expect(blocks.numFreeBlocks).toBe(1);
    blocks.free(1);
    expect(blocks.numFreeBlocks).toBe(3);
    // Uncached blocks are a stack: block 0 was released last, so it is reused first.
    expect(blocks.allocateSlots(3, 0, 2)!.newBlockIds).toEqual([0]);
  });

  it('returns null and changes nothing when blocks run out', () => {
    const blocks = manager(2);
    blocks.allocateSlots(1, 0, 3);
    expect(blocks.allocateSlots(2, 0, 1)).toBeNull();
    expect(blocks.allocateSlots(1, 4, 1)).toBeNull();
    expect(blocks.blockTable(2)).toEqual([]);
    expect(blocks.blockTable(1)).toEqual([0, 1]);
    expect(blocks.stats().usedBlocks).toBe(2);
  });

  it('shares cached full blocks by whole-prefix hash and counts the hit rate', () => {
    const blocks = manager(8);
    const first = [1, 2, 3, 4, 5];
    blocks.allocateSlots(1, 0, first.length, blocks.findCachedPrefix(first));
    blocks.cacheFullBlocks(1, first, first.length);
    expect(blocks.blockTable(1)).toEqual([0, 1, 2]);

    const second = [1, 2, 3, 4, 9, 9];
    const prefix = blocks.findCachedPrefix(second);
    expect(prefix.blockIds).toEqual([0, 1]);
    expect(prefix.numTokens).toBe(4);
    blocks.allocateSlots(2, prefix.numTokens, second.length - prefix.numTokens, prefix);
    expect(blocks.blockTable(2)).toEqual([0, 1, 3]);
    expect(blocks.refCount(0)).toBe(2);
    expect(blocks.refCount(2)).toBe(1);

    // Same second block but a different first block: no hit, hashes cover the whole prefix.
    expect(blocks.findCachedPrefix([7, 2, 3, 4, 5]).blockIds).toEqual([]);
    const stats = blocks.stats();
    expect(stats.prefixQueriedTokens).toBe(11);
    expect(stats.prefixHitTokens).toBe(4);
    expect(stats.prefixHitRate).toBeCloseTo(4 / 11);
  });

  it('always leaves the last token to compute, so a full-prompt hit still yields logits', () => {
    const blocks = manager(8);
    const prompt = [1, 2, 3, 4];
    blocks.allocateSlots(1, 0, 4, blocks.findCachedPrefix(prompt));
    blocks.cacheFullBlocks(1, prompt, 4);
    expect(blocks.findCachedPrefix(prompt).blockIds).toEqual([0]);
    expect(blocks.findCachedPrefix([1, 2, 3, 4, 5]).blockIds).toEqual([0, 1]);
  });

  it('evicts unreferenced cached blocks least-recently-freed first, tails before heads', () => {
    const blocks = manager(4);
    const a = [1, 2, 3, 4];
    const b = [5, 6, 7, 8];
    blocks.allocateSlots(1, 0, 4);
    blocks.cacheFullBlocks(1, a, 4);
    blocks.allocateSlots(2, 0, 4);
    blocks.cacheFullBlocks(2, b, 4);
    blocks.free(1); // evictable order: 1, 0
    blocks.free(2); // evictable order: 1, 0, 3, 2
    expect(blocks.stats().cachedFreeBlocks).toBe(4);
    expect(blocks.allocateSlots(3, 0, 2)!.newBlockIds).toEqual([1]);
    expect(blocks.allocateSlots(4, 0, 2)!.newBlockIds).toEqual([0]);
    expect(blocks.stats().evictions).toBe(2);
    // a's blocks are gone; b's head is still cached and is adopted without a copy.
    expect(blocks.findCachedPrefix([...a, 0]).blockIds).toEqual([]);
    const hit = blocks.findCachedPrefix([...b, 0]);
    expect(hit.blockIds).toEqual([2, 3]);
    expect(blocks.allocateSlots(5, 4, 1, hit)).toBeNull(); // needs a 3rd block: none left
    expect(blocks.blockTable(5)).toEqual([]);
    // Adopting b's head (block 2) evicts b's tail (block 3) to make room.
    expect(blocks.allocateSlots(5, 2, 1, blocks.findCachedPrefix([5, 6, 7]))).toEqual({ newBlockIds: [3], copies: [] });
    expect(blocks.blockTable(5)).toEqual([2, 3]);
    expect(blocks.stats().evictions).toBe(3);
  });

  it('adopting a cached block takes it off the eviction list', () => {
    const blocks = manager(3);
    blocks.allocateSlots(1, 0, 2);
    blocks.cacheFullBlocks(1, [1, 2], 2);
    blocks.free(1);
    blocks.allocateSlots(2, 2, 1, blocks.findCachedPrefix([1, 2, 3]));
    expect(blocks.blockTable(2)).toEqual([0, 1]);
    expect(blocks.allocateSlots(3, 0, 2)!.newBlockIds).toEqual([2]);
    expect(blocks.stats().evictions).toBe(0);
    expect(blocks.allocateSlots(4, 0, 1)).toBeNull();
  });

  it('forks share every block and copy the partial last block on first write', () => {
    const blocks = manager(6);
    blocks.allocateSlots(1, 0, 3); // blocks [0, 1], block 1 half full
    blocks.fork(1, 2);
    expect(blocks.refCount(0)).toBe(2);
    expect(blocks.refCount(1)).toBe(2);
    expect(blocks.allocateSlots(2, 3, 1)).toEqual({ newBlockIds: [], copies: [{ src: 1, dst: 2 }] });
    expect(blocks.blockTable(2)).toEqual([0, 2]);
    expect(blocks.refCount(1)).toBe(1);
    // The parent is now the only owner of block 1: it writes in place.
    expect(blocks.allocateSlots(1, 3, 1)).toEqual({ newBlockIds: [], copies: [] });
    blocks.free(1);
    blocks.free(2);
    expect(blocks.numFreeBlocks).toBe(6);
  });

  it('a fork at a block boundary needs no copy', () => {
    const blocks = manager(4);
    blocks.allocateSlots(1, 0, 2);
    blocks.fork(1, 2);
    expect(blocks.allocateSlots(2, 2, 1)).toEqual({ newBlockIds: [1], copies: [] });
  });

  it('rejects bad sizes and bad forks', () => {
    expect(() => manager(0)).toThrow(/numBlocks/);
    expect(() => new BlockManager({ numBlocks: 2, blockSize: 0, enablePrefixCaching: false })).toThrow(/blockSize/);
    const blocks = manager(2);
    expect(() => blocks.fork(9, 10)).toThrow(/no blocks/);
    blocks.allocateSlots(1, 0, 1);
    blocks.allocateSlots(2, 0, 1);
    expect(() => blocks.fork(1, 2)).toThrow(/already has blocks/);
  });

  it('with prefix caching off, nothing is hashed or shared', () => {
    const blocks = manager(4, 2, false);
    blocks.allocateSlots(1, 0, 4);
    blocks.cacheFullBlocks(1, [1, 2, 3, 4], 4);
    expect(blocks.findCachedPrefix([1, 2, 3, 4, 5]).blockIds).toEqual([]);
    blocks.free(1);
    expect(blocks.stats().cachedFreeBlocks).toBe(0);
  });
});
