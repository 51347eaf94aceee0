/**
 * Per-step attention layout, built once per step from the scheduler's plain data and
 * shared by all layers: where each new row is written, and which cached slots each
 * query row attends to.
 *
 * Rows are grouped so batched attention needs few ops and little padding: a run of
 * consecutive sequences with the same number of new tokens is one group [batch,
 * queries, maxKeys] — all decodes together, and equal-length prefill chunks
 * together (batches of same-length prompts prefill in one pair of matmuls).
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
  /** [batch × keyLength] pool slots; padding repeats a valid slot and is masked. */
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

/** @param groupSize query heads per KV head (numHeads / numKvHeads); the mask repeats per head in a group. */
export function buildStepLayout(sequences: readonly LayoutSequence[], blockSize: number, groupSize: number): StepLayout {
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
    const members = sequences.slice(first, end);
    groups.push(buildGroup(members, rowStart, blockSize, groupSize));
    rowStart += members.reduce((sum, sequence) => sum + sequence.numTokens, 0);
    first = end;
  }
  return { numRows, writeSlots, groups };
}

function buildGroup(members: readonly LayoutSequence[], rowStart: number, blockSize: number, groupSize: number): AttentionGroup {
  const batch = members.length;
  const queryLength = members[0].numTokens;
  const keyLength = Math.max(...members.map((sequence) => sequence.start + sequence.numTokens));
  const keySlots = new Int32Array(batch * keyLength);
  const mask = new Float32Array(batch * groupSize * queryLength * keyLength);
  members.forEach((sequence, member) => {
    const length = sequence.start + sequence.numTokens;
    for (let key = 0; key < keyLength; key++) keySlots[member * keyLength + key] = slotOf(sequence.blockTable, key < length ? key : 0, blockSize);
    for (let query = 0; query < queryLength; query++) {
      const visible = sequence.start + query + 1; // causal: keys 0..position
      const rowMask = mask.subarray((member * groupSize * queryLength + query) * keyLength, (member * groupSize * queryLength + query + 1) * keyLength);
      rowMask.fill(maskedOut, visible);
      for (let head = 1; head < groupSize; head++) mask.copyWithin((member * groupSize * queryLength + head * queryLength + query) * keyLength, (member * groupSize * queryLength + query) * keyLength, (member * groupSize * queryLength + query + 1) * keyLength);
    }
  });
  return { rowStart, batch, queryLength, keyLength, keySlots, mask };
}
