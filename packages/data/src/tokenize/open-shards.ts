/**
 * The trainer's reader: `openShards(folder)` → the shard manifest and an async
 * iterator of batches of PackedRows (views into one shard, row-major), each saying
 * where it starts. Batches never span shards; the last batch of a shard may be
 * shorter.
 */
import { join } from 'node:path';
import { readShardManifest, type ShardManifest, type SplitName } from './shard-manifest.js';
import { sliceRows, type PackedRows } from './packed-rows.js';
import { readShard } from './shard-io.js';

export interface ShardBatch extends PackedRows {
  /** Which shard file and row the batch starts at (for resuming). */
  file: string;
  firstRow: number;
}

export interface OpenShards {
  manifest: ShardManifest;
  batches(options?: { split?: SplitName; batchRows?: number }): AsyncGenerator<ShardBatch>;
}

export async function openShards(folder: string): Promise<OpenShards> {
  const manifest = await readShardManifest(folder);
  return {
    manifest,
    async *batches(options = {}) {
      const batchRows = options.batchRows ?? 64;
      for (const entry of manifest.splits[options.split ?? 'train'].files) {
        const shard = await readShard(join(folder, entry.file));
        for (let row = 0; row < shard.rows; row += batchRows) {
          const rows = Math.min(batchRows, shard.rows - row);
          yield { ...sliceRows(shard, row, row + rows), file: entry.file, firstRow: row };
        }
      }
    },
  };
}
