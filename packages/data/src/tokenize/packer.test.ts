import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { PackedRows } from './packed-rows.js';
import { SequencePacker } from './packer.js';
import { readShard, writeShard } from './shard-io.js';

async function pack(mode: 'pretrain' | 'sft', docs: number[][], rowWidth: number, masks?: number[][]): Promise<PackedRows[]> {
  const blocks: PackedRows[] = [];
  const packer = new SequencePacker({
    rowWidth,
    mode,
    padId: 0,
    rowsPerBlock: 2,
    emit: (block) => {
      blocks.push({ ...block, tokenIds: block.tokenIds.slice(), segmentIds: block.segmentIds.slice(), lossMask: block.lossMask.slice() });
    },
  });
  for (const [index, doc] of docs.entries()) await packer.add(doc, masks?.[index]);
  await packer.finish();
  return blocks;
}

describe('SequencePacker', () => {
  it('pretrain: concatenates documents across rows with segments and masks', async () => {
    // Documents already end in EOS (9).
    const blocks = await pack('pretrain', [[1, 2, 9], [3, 4, 5, 6, 9], [7, 9]], 4);
    expect(blocks.map((block) => block.rows)).toEqual([2, 1]);
    const tokens = blocks.flatMap((block) => [...block.tokenIds]);
    const segments = blocks.flatMap((block) => [...block.segmentIds]);
    const masks = blocks.flatMap((block) => [...block.lossMask]);
    expect(tokens).toEqual([1, 2, 9, 3, /**/ 4, 5, 6, 9, /**/ 7, 9, 0, 0]);
    expect(segments).toEqual([1, 1, 1, 2, /**/ 1, 1, 1, 1, /**/ 1, 1, 0, 0]);
    expect(masks).toEqual([0, 1, 1, 0, /**/ 0, 1, 1, 1, /**/ 0, 1, 0, 0]);
  });

  it('sft: keeps a conversation in one row, pads, truncates overlong ones', async () => {
    const blocks = await pack('sft', [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10, 11]], 4, [[0, 1, 1], [0, 1], [0, 0, 1, 1, 1, 1]]);
    const tokens = blocks.flatMap((block) => [...block.tokenIds]);
    const masks = blocks.flatMap((block) => [...block.lossMask]);
    const segments = blocks.flatMap((block) => [...block.segmentIds]);
    expect(tokens).toEqual([1, 2, 3, 0, /**/ 4, 5, 0, 0, /**/ 6, 7, 8, 9]);
    expect(segments).toEqual([1, 1, 1, 0, /**/ 1, 1, 0, 0, /**/ 1, 1, 1, 1]);
    expect(masks).toEqual([0, 1, 1, 0, /**/ 0, 1, 0, 0, /**/ 0, 0, 1, 1]);
  });

  it('round-trips blocks through Arrow IPC shard files', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'chainlm-shard-'));
    afterAll(() => rmSync(folder, { recursive: true, force: true }));
    const [block] = await pack('pretrain', [[5, 6, 7, 8, 9, 10, 11]], 4);
    await writeShard(join(folder, 'a.arrow'), block);
    const read = await readShard(join(folder, 'a.arrow'));
    expect(read.rows).toBe(2);
    expect(read.rowWidth).toBe(4);
    expect([...read.tokenIds]).toEqual([...block.tokenIds]);
    expect([...read.segmentIds]).toEqual([...block.segmentIds]);
    expect([...read.lossMask]).toEqual([...block.lossMask]);
    expect(read.tokenIds).toBeInstanceOf(Int32Array);
  });
});
