/**
 * HF sharded checkpoints: `model-00001-of-00003.safetensors`, … plus
 * `model.safetensors.index.json` = {"metadata": {"total_size": bytes},
 * "weight_map": {tensor name: shard file}}. A checkpoint under the shard size is
 * written as one `model.safetensors`, as transformers does.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '@chainlm/core';
import { readSafetensors } from './safetensors-read.js';
import { storedBytes, writeSafetensors } from './safetensors-write.js';
import { missingFileError, tensorError, weightFileError } from './errors.js';
import type { DType, WeightMap } from './types.js';

export const singleFileName = 'model.safetensors';
export const indexFileName = 'model.safetensors.index.json';

export interface SaveShardedOptions {
  dtype?: DType;
  /** Largest shard in bytes (a single bigger tensor gets a shard of its own). Default: no sharding. */
  maxShardBytes?: number;
  metadata?: Record<string, string>;
}

/** Greedy split in tensor order, like transformers' `shard_checkpoint`. */
export function planShards(weights: WeightMap, maxShardBytes: number, dtype?: DType): string[][] {
  const shards: string[][] = [];
  let current: string[] = [];
  let currentBytes = 0;
  for (const [name, tensor] of weights) {
    const bytes = storedBytes(tensor, dtype ?? tensor.dtype);
    if (current.length > 0 && currentBytes + bytes > maxShardBytes) {
      shards.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(name);
    currentBytes += bytes;
  }
  if (current.length > 0) shards.push(current);
  return shards;
}

/** Writes `dir/model.safetensors`, or shards plus the index when over `maxShardBytes`. Returns the files written. */
export async function saveSafetensorsFolder(dir: string, weights: WeightMap, options: SaveShardedOptions = {}): Promise<string[]> {
  const metadata = { format: 'pt', ...options.metadata };
  const shards = options.maxShardBytes === undefined ? [[...weights.keys()]] : planShards(weights, options.maxShardBytes, options.dtype);
  if (shards.length <= 1) {
    await writeSafetensors(join(dir, singleFileName), weights, { dtype: options.dtype, metadata });
    return [singleFileName];
  }
  const width = Math.max(5, String(shards.length).length);
  const weightMap: Record<string, string> = {};
  const files: string[] = [];
  let totalSize = 0;
  for (const [index, names] of shards.entries()) {
    const file = `model-${String(index + 1).padStart(width, '0')}-of-${String(shards.length).padStart(width, '0')}.safetensors`;
    const shard: WeightMap = new Map(names.map((name) => [name, weights.get(name)!]));
    await writeSafetensors(join(dir, file), shard, { dtype: options.dtype, metadata });
    for (const [name, tensor] of shard) {
      weightMap[name] = file;
      totalSize += storedBytes(tensor, options.dtype ?? tensor.dtype);
    }
    files.push(file);
  }
  await writeJsonAtomic(join(dir, indexFileName), { metadata: { total_size: totalSize }, weight_map: weightMap });
  return [...files, indexFileName];
}

/** Reads and checks `model.safetensors.index.json`: shard file → tensor names, in first-seen order. */
export async function readShardIndex(indexPath: string): Promise<Map<string, string[]>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(indexPath, 'utf8'));
  } catch (error) {
    throw weightFileError(indexPath, `not valid JSON (${(error as Error).message})`, 'rewrite the index or re-download the checkpoint');
  }
  const weightMap = (parsed as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw weightFileError(indexPath, 'missing "weight_map" object {tensor name: shard file}', 'rewrite the index or re-download the checkpoint');
  }
  const byShard = new Map<string, string[]>();
  for (const [name, file] of Object.entries(weightMap)) {
    if (typeof file !== 'string' || file.includes('/') || file.includes('\\')) {
      throw tensorError(indexPath, name, `weight_map value must be a shard file name in the same folder, got ${JSON.stringify(file)}`, 'fix the index');
    }
    byShard.set(file, [...(byShard.get(file) ?? []), name]);
  }
  return byShard;
}

/** Loads all weights of a folder: sharded through its index, else `model.safetensors`. */
export async function loadSafetensorsFolder(dir: string): Promise<WeightMap> {
  const indexPath = join(dir, indexFileName);
  if (existsSync(indexPath)) {
    const weights: WeightMap = new Map();
    for (const [file, names] of await readShardIndex(indexPath)) {
      const shardPath = join(dir, file);
      if (!existsSync(shardPath)) throw missingFileError(shardPath, `shard listed in ${indexFileName}`, 'download the missing shard or fix the index');
      for (const [name, tensor] of await readSafetensors(shardPath, { names })) weights.set(name, tensor);
    }
    return weights;
  }
  const single = join(dir, singleFileName);
  if (!existsSync(single)) {
    const hint = existsSync(join(dir, 'pytorch_model.bin'))
      ? 'PyTorch .bin checkpoints are not read: convert it to safetensors with transformers first'
      : `put ${singleFileName} (or ${indexFileName} and its shards) in the folder`;
    throw missingFileError(dir, `${singleFileName} or ${indexFileName}`, hint);
  }
  return readSafetensors(single);
}
