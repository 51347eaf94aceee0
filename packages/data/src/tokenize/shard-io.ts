/**
 * Arrow IPC shard files: one row per packed row, three FixedSizeList columns whose
 * list size is the row width (PackedRows' rowWidth; `seq_len` in the column types and
 * `seqLen` in shards.json are the same number) — token_ids (int32), segment_ids
 * (int32), loss_mask (uint8). The format is unchanged since formatVersion 1
 * (packed-rows.test.ts reads a shard written before PackedRows had one owner). The
 * reader returns zero-copy typed-array views of each shard's flat buffers.
 */
import { readFile } from 'node:fs/promises';
import { DataType, Field, FixedSizeList, Int32, Table, Uint8, makeData, makeVector, tableFromIPC, tableToIPC, type Data } from 'apache-arrow';
import { writeFileAtomic } from '@chainlm/core';
import type { PackedRows } from './packed-rows.js';

export const shardColumns = [
  { name: 'token_ids', type: 'fixed_size_list<int32>[seq_len]' },
  { name: 'segment_ids', type: 'fixed_size_list<int32>[seq_len]' },
  { name: 'loss_mask', type: 'fixed_size_list<uint8>[seq_len]' },
];

function listColumn(values: Int32Array | Uint8Array, rows: number, rowWidth: number) {
  const itemType: DataType = values instanceof Int32Array ? new Int32() : new Uint8();
  const child = makeData({ type: itemType as Int32, length: values.length, data: values as Int32Array });
  const type = new FixedSizeList(rowWidth, new Field('item', itemType, false));
  return makeVector(makeData({ type, length: rows, nullCount: 0, child: child as Data }));
}

export async function writeShard(path: string, block: PackedRows): Promise<void> {
  const table = new Table({
    token_ids: listColumn(block.tokenIds, block.rows, block.rowWidth),
    segment_ids: listColumn(block.segmentIds, block.rows, block.rowWidth),
    loss_mask: listColumn(block.lossMask, block.rows, block.rowWidth),
  });
  await writeFileAtomic(path, tableToIPC(table, 'file'));
}

export async function readShard(path: string): Promise<PackedRows> {
  const table = tableFromIPC(await readFile(path));
  for (const column of shardColumns) {
    const field = table.schema.fields.find((candidate) => candidate.name === column.name);
    if (!field || !DataType.isFixedSizeList(field.type)) throw new Error(`${path}: missing column ${column.name} (${column.type}); re-run chainlm-data tokenize to rewrite the shards`);
  }
  const flat = <T extends Int32Array | Uint8Array>(name: string): T => {
    const chunks = table.getChild(name)!.data.map((data) => {
      const child = data.children[0];
      return (child.values as T).subarray(child.offset, child.offset + child.length) as T;
    });
    if (chunks.length === 1) return chunks[0];
    const out = new (chunks[0].constructor as new (length: number) => T)(chunks.reduce((total, chunk) => total + chunk.length, 0));
    let at = 0;
    for (const chunk of chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  };
  const tokenType = table.schema.fields[0].type as FixedSizeList;
  return { rows: table.numRows, rowWidth: tokenType.listSize, tokenIds: flat<Int32Array>('token_ids'), segmentIds: flat<Int32Array>('segment_ids'), lossMask: flat<Uint8Array>('loss_mask') };
}
