/**
 * Prefix-cache keys. A full block's key hashes the key of the block before it and
 * the block's own token ids, so equal keys mean equal *whole prefixes* — two
 * requests share block i only when their first (i+1)·blockSize tokens agree.
 */
import { createHash } from 'node:crypto';

export const rootBlockHash = 'root';

export function hashBlock(parentHash: string, tokenIds: ArrayLike<number>, start: number, end: number): string {
  const ids = new Int32Array(end - start);
  for (let index = start; index < end; index++) ids[index - start] = tokenIds[index];
  return createHash('sha256').update(parentHash).update(new Uint8Array(ids.buffer)).digest('base64');
}

/**
 * Keys of the full blocks of `tokenIds` (at most `maxBlocks`): [numFullBlocks].
 * `root` salts the chain: sequences whose K/V differ for equal tokens (a LoRA
 * adapter) use their own root, so they never share blocks with the base.
 */
export function hashFullBlocks(tokenIds: ArrayLike<number>, blockSize: number, maxBlocks = Infinity, from: string[] = [], root = rootBlockHash): string[] {
  const hashes = from.slice();
  const count = Math.min(Math.floor(tokenIds.length / blockSize), maxBlocks);
  for (let block = hashes.length; block < count; block++) {
    hashes.push(hashBlock(block === 0 ? root : hashes[block - 1], tokenIds, block * blockSize, (block + 1) * blockSize));
  }
  return hashes;
}
