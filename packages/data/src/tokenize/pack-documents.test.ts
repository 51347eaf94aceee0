import { describe, expect, it } from 'vitest';
import { packDocuments } from './pack-documents.js';

describe('packDocuments', () => {
  it('lays rows out as the streaming packer does, padding the last row by default', async () => {
    const packed = await packDocuments([{ ids: [1, 2, 9] }, { ids: [3, 4, 5, 6, 9] }, { ids: [7, 9] }], { rowWidth: 4, mode: 'pretrain', padId: 0 });
    expect([packed.rows, packed.rowWidth]).toEqual([3, 4]);
    expect([...packed.tokenIds]).toEqual([1, 2, 9, 3, /**/ 4, 5, 6, 9, /**/ 7, 9, 0, 0]);
    expect([...packed.segmentIds]).toEqual([1, 1, 1, 2, /**/ 1, 1, 1, 1, /**/ 1, 1, 0, 0]);
    expect([...packed.lossMask]).toEqual([0, 1, 1, 0, /**/ 0, 1, 1, 1, /**/ 0, 1, 0, 0]);
  });

  it('drops the partial last row when asked, keeping document loss masks', async () => {
    // Stream: 5 6 7 2 | 8 9 2 10 | 11 12 13 2 | 14 (dropped).
    const packed = await packDocuments([{ ids: [5, 6, 7, 2] }, { ids: [8, 9, 2], lossMask: [0, 1, 1] }, { ids: [10, 11, 12, 13, 2, 14] }], { rowWidth: 4, mode: 'pretrain', padId: 0, partialRow: 'drop' });
    expect(packed.rows).toBe(3);
    expect([...packed.tokenIds]).toEqual([5, 6, 7, 2, 8, 9, 2, 10, 11, 12, 13, 2]);
    expect([...packed.lossMask]).toEqual([0, 1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1]);
    expect([...packed.segmentIds]).toEqual([1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1]);
  });

  it('gives zero rows when nothing fills a row and the partial one is dropped', async () => {
    const packed = await packDocuments([{ ids: [1, 2] }], { rowWidth: 4, mode: 'pretrain', padId: 0, partialRow: 'drop' });
    expect(packed.rows).toBe(0);
    expect(packed.tokenIds.length).toBe(0);
  });

  it('sft: sizes its one block for the worst padding', async () => {
    const packed = await packDocuments([{ ids: [1, 2, 3] }, { ids: [4, 5, 6] }, { ids: [7, 8, 9] }], { rowWidth: 4, mode: 'sft', padId: 0 });
    expect(packed.rows).toBe(3);
    expect([...packed.tokenIds]).toEqual([1, 2, 3, 0, 4, 5, 6, 0, 7, 8, 9, 0]);
  });
});
