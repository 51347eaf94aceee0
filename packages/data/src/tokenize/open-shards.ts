/**
 * The trainer's reader: `openShards(folder)` → the shard manifest and an async
 * iterator of batches `{ tokenIds, segmentIds, lossMask }`, each a flat typed array
 * [rows * seqLen] (row-major). Batches never span shards; the last batch of a shard
 * may be shorter.
 */
import { join } from 'node:path';
import { readShardManifest, type ShardManifest, type SplitName } from './shard-manifest.js';
import { readShard } from './shard-io.js';

export interface ShardBatch {
  rows: number;
  seqLen: number;
  tokenIds: Int32Array; // [rows * seqLen]
  segmentIds: Int32Array; // [rows * seqLen]
  lossMask: Uint8Array; // [rows * seqLen]
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
          const [from, to] = [row * shard.seqLen, (row + rows) * shard.seqLen];
          yield {
            rows,
            seqLen: shard.seqLen,
            tokenIds: shard.tokenIds.subarray(from, to),
            segmentIds: shard.segmentIds.subarray(from, to),
            lossMask: shard.lossMask.subarray(from, to),
            file: entry.file,
            firstRow: row,
          };
        }
      }
    },
  };
}
