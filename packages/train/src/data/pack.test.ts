import { describe, expect, it } from 'vitest';
import { packDocuments, splitRows } from './pack.js';

describe('packDocuments', () => {
  it('concatenates with EOS, cuts rows and numbers documents per row', () => {
    const packed = packDocuments([{ ids: [5, 6, 7] }, { ids: [8, 9], lossMask: [0, 1] }, { ids: [10, 11, 12, 13] }], 4, 2);
    // Stream: 5 6 7 2 | 8 9 2 10 | 11 12 13 2 → 3 full rows.
    expect(packed.rows).toBe(3);
    expect(Array.from(packed.tokens)).toEqual([5, 6, 7, 2, 8, 9, 2, 10, 11, 12, 13, 2]);
    expect(Array.from(packed.lossMask!)).toEqual([1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(packed.segmentIds!)).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0]);
  });

  it('splits off the tail for validation', () => {
    const packed = packDocuments([{ ids: Array.from({ length: 39 }, (_, index) => index + 3) }], 4, 2);
    const { train, val } = splitRows(packed, 0.2);
    expect([train.rows, val.rows]).toEqual([8, 2]);
    expect(val.tokens[0]).toBe(packed.tokens[32]);
  });
});
