/**
 * Design note — the block manager is integer bookkeeping only; it never sees a tensor.
 *
 * The KV pools hold `numBlocks` blocks of `blockSize` token slots. Each sequence owns
 * a block table (its logical block i lives in physical block table[i]); a block may
 * be in several tables (prefix sharing, n > 1 forks), counted by `refCounts`.
 *
 * Free blocks live in two places: `freeUncached` (no useful content, reused first)
 * and `evictable` (refcount 0 but still holding a hashed full block, kept for
 * prefix hits, ordered least-recently-freed first). Allocation takes an uncached
 * block if there is one, else evicts the oldest evictable block and forgets its hash.
 * A sequence's blocks are released tail first, so a shared prefix outlives the
 * tails that hang off it.
 *
 * Full blocks are immutable once computed, so sharing them needs no copies. The only
 * block ever written while shared is the partially filled last block of a forked
 * sequence (n > 1): `allocateSlots` then gives the writer a fresh block and returns a
 * copy instruction {src, dst} the runner applies to the pools before the step
 * (copy-on-write at the first divergent block).
 *
 * Running out of blocks is expected: `allocateSlots` returns null and changes
 * nothing; the scheduler then preempts someone and tries again.
 */
import { EngineError } from '../errors.js';
import { hashFullBlocks } from './block-hash.js';

export interface BlockManagerOptions {
  numBlocks: number;
  blockSize: number;
  enablePrefixCaching: boolean;
}

/** The longest cached prefix of a token sequence, in whole blocks. */
export interface CachedPrefix {
  blockIds: number[];
  hashes: string[];
  /** Tokens covered: blockIds.length × blockSize. */
  numTokens: number;
  /** Tokens looked up (the hit-rate denominator). */
  numQueriedTokens: number;
}

export interface BlockCopy {
  src: number;
  dst: number;
}

export interface SlotAllocation {
  newBlockIds: number[];
  copies: BlockCopy[];
}

export interface BlockStats {
  numBlocks: number;
  usedBlocks: number;
  freeBlocks: number;
  /** Free blocks still holding a cached prefix block. */
  cachedFreeBlocks: number;
  evictions: number;
  prefixQueriedTokens: number;
  prefixHitTokens: number;
  /** prefixHitTokens / prefixQueriedTokens (0 when nothing was queried). */
  prefixHitRate: number;
}

export class BlockManager {
  readonly numBlocks: number;
  readonly blockSize: number;
  readonly enablePrefixCaching: boolean;
  private readonly refCounts: Int32Array;
  private readonly blockHashes: (string | undefined)[];
  private readonly hashToBlock = new Map<string, number>();
  /** Stack: the last element is handed out next. */
  private readonly freeUncached: number[] = [];
  /** Insertion-ordered: the first key is the least recently freed. */
  private readonly evictable = new Map<number, true>();
  private readonly tables = new Map<number, number[]>();
  /** Hashes of each sequence's computed full blocks, in order. */
  private readonly sequenceHashes = new Map<number, string[]>();
  private evictions = 0;
  private queriedTokens = 0;
  private hitTokens = 0;

  constructor(options: BlockManagerOptions) {
    if (!Number.isInteger(options.numBlocks) || options.numBlocks < 1) {
      throw new EngineError('engine-block-invalid', `numBlocks must be a positive integer, got ${options.numBlocks}`, 'raise the KV memory budget or lower blockSize');
    }
    if (!Number.isInteger(options.blockSize) || options.blockSize < 1) {
      throw new EngineError('engine-block-invalid', `blockSize must be a positive integer, got ${options.blockSize}`, 'use a block size such as 16');
    }
    this.numBlocks = options.numBlocks;
    this.blockSize = options.blockSize;
    this.enablePrefixCaching = options.enablePrefixCaching;
    this.refCounts = new Int32Array(options.numBlocks);
    this.blockHashes = new Array(options.numBlocks).fill(undefined);
    for (let block = options.numBlocks - 1; block >= 0; block--) this.freeUncached.push(block);
  }

  get numFreeBlocks(): number {
    return this.freeUncached.length + this.evictable.size;
  }

  blockTable(sequenceId: number): readonly number[] {
    return this.tables.get(sequenceId) ?? [];
  }

  refCount(block: number): number {
    return this.refCounts[block];
  }

  /** Longest run of cached full blocks; leaves at least one token to compute (its logits are needed). */
  findCachedPrefix(tokenIds: ArrayLike<number>, root?: string): CachedPrefix {
    const empty: CachedPrefix = { blockIds: [], hashes: [], numTokens: 0, numQueriedTokens: tokenIds.length };
    if (!this.enablePrefixCaching || tokenIds.length < 2) return empty;
    const maxBlocks = Math.floor((tokenIds.length - 1) / this.blockSize);
    const hashes = hashFullBlocks(tokenIds, this.blockSize, maxBlocks, [], root);
    const blockIds: number[] = [];
    for (const hash of hashes) {
      const block = this.hashToBlock.get(hash);
      if (block === undefined) break;
      blockIds.push(block);
    }
    return { blockIds, hashes: hashes.slice(0, blockIds.length), numTokens: blockIds.length * this.blockSize, numQueriedTokens: tokenIds.length };
  }

  /**
   * Makes room for `numNewTokens` more tokens after `numComputedTokens` already in
   * the sequence's blocks. `cachedPrefix` (only on a sequence's first allocation)
   * adopts those blocks first. Returns null, changing nothing, when blocks run out.
   */
  allocateSlots(sequenceId: number, numComputedTokens: number, numNewTokens: number, cachedPrefix?: CachedPrefix): SlotAllocation | null {
    const table = this.tables.get(sequenceId) ?? [];
    const firstAllocation = table.length === 0;
    const prefix = cachedPrefix && firstAllocation ? cachedPrefix.blockIds : [];
    const prefixFromFree = prefix.filter((block) => this.refCounts[block] === 0).length;
    const ownedBlocks = table.length + prefix.length;
    const neededBlocks = Math.max(0, Math.ceil((numComputedTokens + numNewTokens) / this.blockSize) - ownedBlocks);
    const writeBlock = Math.floor(numComputedTokens / this.blockSize);
    const copyOnWrite = numNewTokens > 0 && numComputedTokens % this.blockSize !== 0 && writeBlock < table.length && this.refCounts[table[writeBlock]] > 1;
    if (neededBlocks + (copyOnWrite ? 1 : 0) > this.numFreeBlocks - prefixFromFree) return null;

    for (const block of prefix) this.retain(block);
    if (prefix.length > 0) {
      table.push(...prefix);
      this.sequenceHashes.set(sequenceId, cachedPrefix!.hashes.slice());
    }
    if (cachedPrefix && firstAllocation) {
      this.queriedTokens += cachedPrefix.numQueriedTokens;
      this.hitTokens += prefix.length * this.blockSize;
    }
    const copies: BlockCopy[] = [];
    if (copyOnWrite) {
      const dst = this.take();
      copies.push({ src: table[writeBlock], dst });
      this.release(table[writeBlock]);
      table[writeBlock] = dst;
    }
    const newBlockIds: number[] = [];
    for (let index = 0; index < neededBlocks; index++) newBlockIds.push(this.take());
    table.push(...newBlockIds);
    this.tables.set(sequenceId, table);
    return { newBlockIds, copies };
  }

  /** Registers the sequence's newly completed full blocks in the prefix cache. */
  cacheFullBlocks(sequenceId: number, tokenIds: ArrayLike<number>, numComputedTokens: number, root?: string): void {
    if (!this.enablePrefixCaching) return;
    const table = this.tables.get(sequenceId);
    if (!table) return;
    const known = this.sequenceHashes.get(sequenceId) ?? [];
    const fullBlocks = Math.min(Math.floor(numComputedTokens / this.blockSize), table.length);
    if (fullBlocks <= known.length) return;
    const hashes = hashFullBlocks(tokenIds, this.blockSize, fullBlocks, known, root);
    for (let index = known.length; index < hashes.length; index++) {
      const block = table[index];
      // Another sequence may have computed the same prefix in the same step; keep the first.
      if (this.blockHashes[block] === undefined && !this.hashToBlock.has(hashes[index])) {
        this.blockHashes[block] = hashes[index];
        this.hashToBlock.set(hashes[index], block);
      }
    }
    this.sequenceHashes.set(sequenceId, hashes);
  }

  /** The child shares every block of the parent (n > 1 sampling). */
  fork(parentId: number, childId: number): void {
    const table = this.tables.get(parentId);
    if (!table) throw new EngineError('engine-block-invalid', `fork: sequence ${parentId} has no blocks`, 'fork only after the parent was allocated');
    if (this.tables.has(childId)) throw new EngineError('engine-block-invalid', `fork: sequence ${childId} already has blocks`, 'fork into a fresh sequence id');
    for (const block of table) this.retain(block);
    this.tables.set(childId, table.slice());
    this.sequenceHashes.set(childId, (this.sequenceHashes.get(parentId) ?? []).slice());
  }

  /** Sequences holding a block table: 0 once every sequence was freed. */
  get numTables(): number {
    return this.tables.size;
  }

  /** Releases a sequence's blocks, tail first. Safe to call twice. */
  free(sequenceId: number): void {
    const table = this.tables.get(sequenceId);
    if (!table) return;
    for (let index = table.length - 1; index >= 0; index--) this.release(table[index]);
    this.tables.delete(sequenceId);
    this.sequenceHashes.delete(sequenceId);
  }

  stats(): BlockStats {
    return {
      numBlocks: this.numBlocks,
      usedBlocks: this.numBlocks - this.numFreeBlocks,
      freeBlocks: this.numFreeBlocks,
      cachedFreeBlocks: this.evictable.size,
      evictions: this.evictions,
      prefixQueriedTokens: this.queriedTokens,
      prefixHitTokens: this.hitTokens,
      prefixHitRate: this.queriedTokens === 0 ? 0 : this.hitTokens / this.queriedTokens,
    };
  }

  private retain(block: number): void {
    if (this.refCounts[block] === 0) this.evictable.delete(block);
    this.refCounts[block]++;
  }

  private release(block: number): void {
    this.refCounts[block]--;
    if (this.refCounts[block] > 0) return;
    if (this.blockHashes[block] !== undefined) this.evictable.set(block, true);
    else this.freeUncached.push(block);
  }

  private take(): number {
    let block = this.freeUncached.pop();
    if (block === undefined) {
      block = this.evictable.keys().next().value as number;
      this.evictable.delete(block);
      this.hashToBlock.delete(this.blockHashes[block]!);
      this.blockHashes[block] = undefined;
      this.evictions++;
    }
    this.refCounts[block] = 1;
    return block;
  }
}
