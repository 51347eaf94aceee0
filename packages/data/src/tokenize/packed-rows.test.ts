import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { concatRows, sliceRows, splitTailRows, type PackedRows } from './packed-rows.js';
import { readShard } from './shard-io.js';

const rows = (rowWidth: number, tokenIds: number[]): PackedRows => ({
  rows: tokenIds.length / rowWidth,
  rowWidth,
  tokenIds: Int32Array.from(tokenIds),
  segmentIds: new Int32Array(tokenIds.length).fill(1),
  lossMask: new Uint8Array(tokenIds.length).fill(1),
});

describe('PackedRows helpers', () => {
  it('slices, joins and splits off the tail for validation', () => {
    const packed = rows(2, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect([...sliceRows(packed, 1, 3).tokenIds]).toEqual([3, 4, 5, 6]);
    const joined = concatRows([sliceRows(packed, 0, 1), sliceRows(packed, 3, 5)]);
    expect([joined.rows, ...joined.tokenIds]).toEqual([3, 1, 2, 7, 8, 9, 10]);
    const { train, val } = splitTailRows(packed, 0.2);
    expect([train.rows, val.rows, val.tokenIds[0]]).toEqual([4, 1, 9]);
    expect(splitTailRows(packed, 0.01).val.rows).toBe(1);
  });

  it('refuses to join rows of different widths', () => {
    expect(() => concatRows([rows(2, [1, 2]), rows(3, [1, 2, 3])])).toThrow(/width 3 cannot join rows of width 2/);
  });
});

describe('a shard written before PackedRows had one owner', () => {
  it('reads back the same rows (the file format did not change)', async () => {
    // Written by the pre-change SequencePacker + writeShard: documents [1 2 9] [3 4 5 6 9] [7 9], seq_len 4.
    const read = await readShard(fileURLToPath(new URL('./__fixtures__/pretrain-width4.arrow', import.meta.url)));
    expect([read.rows, read.rowWidth]).toEqual([3, 4]);
    expect([...read.tokenIds]).toEqual([1, 2, 9, 3, 4, 5, 6, 9, 7, 9, 0, 0]);
    expect([...read.segmentIds]).toEqual([1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 0, 0]);
    expect([...read.lossMask]).toEqual([0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0]);
  });
});
