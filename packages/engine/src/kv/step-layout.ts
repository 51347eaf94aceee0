/**
 * Per-step attention layout, built once per step from the scheduler's plain data and
 * shared by all layers: where each new row is written, and which cached slots each
 * query row attends to.
 *
 * Rows are grouped so batched attention needs few ops and little padding: a run of
 * consecutive sequences with the same number of new tokens is one group [batch,
 * queries, maxKeys] — all decodes together, and equal-length prefill chunks
 * together (batches of same-length prompts prefill in one pair of matmuls).
 *
 * A group pads every member to its longest context, and batched attention on wasm
 * runs at ~2 GFLOP/s (tfjs-wasm's BatchMatMul has no XNNPACK path for batch > 1), so
 * under continuous batching — decodes of 20 and 500 tokens side by side — padding
 * was most of the attention time. Given `groupCostPairs` (one group's fixed op cost,
 * in query·key pairs of work), a run is split where that pays: an exact partition
 * of the run into contiguous groups minimising Σ (groupCostPairs + batch·Q·keys).
 * The runner orders each run by context length first, so contiguous is optimal.
 * Padding key slots are −1: stores skip them (they are masked out).
 */
export interface LayoutSequence {
  /** Tokens already in the cache = position of the first new row. */
  start: number;
  numTokens: number;
  blockTable: readonly number[];
}

export interface AttentionGroup {
  rowStart: number;
  batch: number;
  queryLength: number;
  keyLength: number;
  /** [batch × keyLength] pool slots; padding is −1 (masked; stores skip it). */
  keySlots: Int32Array;
  /** Additive mask [batch, groupSize, queryLength, keyLength]: 0 visible, −1e9 hidden. */
  mask: Float32Array;
}

export interface StepLayout {
  numRows: number;
  /** [numRows] slot each new K/V row is written to. */
  writeSlots: Int32Array;
  groups: AttentionGroup[];
}

export const maskedOut = -1e9;

export function slotOf(blockTable: readonly number[], position: number, blockSize: number): number {
  return blockTable[Math.floor(position / blockSize)] * blockSize + (position % blockSize);
}

/**
 * @param groupSize query heads per KV head (numHeads / numKvHeads); the mask repeats per head in a group.
 * @param groupCostPairs a group's fixed cost in query·key pairs; 0 keeps each run of equal lengths one group.
 */
export function buildStepLayout(sequences: readonly LayoutSequence[], blockSize: number, groupSize: number, groupCostPairs = 0): StepLayout {
  const numRows = sequences.reduce((sum, sequence) => sum + sequence.numTokens, 0);
  const writeSlots = new Int32Array(numRows);
  let row = 0;
  for (const sequence of sequences) {
    for (let index = 0; index < sequence.numTokens; index++) writeSlots[row++] = slotOf(sequence.blockTable, sequence.start + index, blockSize);
  }
  const groups: AttentionGroup[] = [];
  let rowStart = 0;
  for (let first = 0; first < sequences.length; ) {
    let end = first + 1;
    while (end < sequences.length && sequences[end].numTokens === sequences[first].numTokens) end++;
    const run = sequences.slice(first, end);
    for (const members of splitRun(run, groupCostPairs)) {
      groups.push(buildGroup(members, rowStart, blockSize, groupSize));
      rowStart += members.reduce((sum, sequence) => sum + sequence.numTokens, 0);
    }
    first = end;
  }
  return { numRows, writeSlots, groups };
}

/** Contiguous partition of a run (equal numTokens) minimising Σ (cost + batch·Q·longest context); O(n²). */
export function splitRun(run: readonly LayoutSequence[], groupCostPairs: number): LayoutSequence[][] {
  if (groupCostPairs <= 0 || run.length < 2) return [run.slice()];
  const queries = run[0].numTokens;
  const best = new Float64Array(run.length + 1); // best[j]: cheapest cost of run[0..j)
  const cut = new Int32Array(run.length + 1);
  for (let end = 1; end <= run.length; end++) {
    best[end] = Infinity;
    let longest = 0;
    for (let begin = end - 1; begin >= 0; begin--) {
      longest = Math.max(longest, run[begin].start + queries);
      const cost = best[begin] + groupCostPairs + (end - begin) * queries * longest;
      if (cost < best[end]) [best[end], cut[end]] = [cost, begin];
    }
  }
  const parts: LayoutSequence[][] = [];
  for (let end = run.length; end > 0; end = cut[end]) parts.unshift(run.slice(cut[end], end));
  return parts;
}

function buildGroup(members: readonly LayoutSequence[], rowStart: number, blockSize: number, groupSize: number): AttentionGroup {
  const batch = members.length;
  const queryLength = members[0].numTokens;
  const keyLength = Math.max(...members.map((sequence) => sequence.start + sequence.numTokens));
  const keySlots = new Int32Array(batch * keyLength);
  const mask = new Float32Array(batch * groupSize * queryLength * keyLength);
  members.forEach((sequence, member) => {
    const length = sequence.start + sequence.numTokens;
    for (let key = 0; key < keyLength; key++) keySlots[member * keyLength + key] = key < length ? slotOf(sequence.blockTable, key, blockSize) : -1;
    for (let query = 0; query < queryLength; query++) {
      const visible = sequence.start + query + 1; // causal: keys 0..position
      const rowMask = mask.subarray((member * groupSize * queryLength + query) * keyLength, (member * groupSize * queryLength + query + 1) * keyLength);
      rowMask.fill(maskedOut, visible);
      for (let head = 1; head < groupSize; head++) mask.copyWithin((member * groupSize * queryLength + head * queryLength + query) * keyLength, (member * groupSize * queryLength + query) * keyLength, (member * groupSize * queryLength + query + 1) * keyLength);
    }
  });
  return { rowStart, batch, queryLength, keyLength, keySlots, mask };
}
