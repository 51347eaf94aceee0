import { describe, expect, it } from 'vitest';
import type { PackedRows } from '@chainlm/data';
import { makeBatch, splitBatch } from './train-batch.js';
import { BatchSampler } from './sampler.js';

const packed: PackedRows = {
  rows: 3,
  rowWidth: 4,
  tokenIds: Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
  lossMask: Uint8Array.from([0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1]),
  segmentIds: Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0]),
};

describe('makeBatch', () => {
  it('shifts targets, applies the loss mask and masks document boundaries', () => {
    const batch = makeBatch(packed, [1, 0]);
    expect(Array.from(batch.inputs)).toEqual([5, 6, 7, 1, 2, 3]);
    expect(Array.from(batch.targets)).toEqual([6, 7, 8, 2, 3, 4]);
    // Row 1: 6→7 crosses from document 0 into 1, so it is not counted. Row 0: mask of 2 is 0.
    expect(Array.from(batch.lossMask)).toEqual([1, 0, 1, 0, 1, 1]);
    expect(batch.tokens).toBe(4);
    expect(Array.from(batch.segmentIds!)).toEqual([0, 0, 1, 0, 0, 0]);
  });

  it('splits a batch into equal slices with their own token counts', () => {
    const [first, second] = splitBatch(makeBatch(packed, [1, 0]), 2);
    expect(first.tokens + second.tokens).toBe(4);
    expect(Array.from(second.inputs)).toEqual([1, 2, 3]);
  });
});

describe('BatchSampler', () => {
  it('is deterministic, covers every row per epoch and resumes from a position', () => {
    const sampler = new BatchSampler(10, 3);
    const epoch0 = [...sampler.next(5), ...sampler.next(5)];
    expect([...epoch0].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const saved = sampler.current;
    const next = Array.from(sampler.next(7));
    const resumed = new BatchSampler(10, 3, saved);
    expect(Array.from(resumed.next(7))).toEqual(next);
    expect(sampler.epochs).toBeCloseTo(1.7);
    const again = new BatchSampler(10, 3);
    expect([...again.next(5), ...again.next(5)]).toEqual(epoch0);
  });

  it('refuses an empty data set', () => {
    expect(() => new BatchSampler(0, 1)).toThrow(/no rows/);
  });
});
