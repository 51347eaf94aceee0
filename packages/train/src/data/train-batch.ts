/**
 * Training batches cut from @chainlm/data's PackedRows (the rows' one owner; see its
 * packed-rows.ts for the layout). A row of rowWidth W becomes W − 1 positions:
 * inputs are tokens 0 … W−2, targets tokens 1 … W−1.
 */
import type { PackedRows } from '@chainlm/data';

/** One micro-batch as the model and loss take it. */
export interface TrainBatch {
  rows: number;
  /** Positions per row: the rows' rowWidth − 1 (train config's data.seqLen). */
  seqLen: number;
  /** [rows · seqLen] model inputs. */
  inputs: Int32Array;
  /** [rows · seqLen] next-token targets. */
  targets: Int32Array;
  /** [rows · seqLen] 1 = counted in the loss. */
  lossMask: Float32Array;
  /** [rows · seqLen] document ids for block-diagonal attention (only equality matters). */
  segmentIds: Int32Array;
  /** Count of 1s in lossMask. */
  tokens: number;
}

/**
 * Builds a batch from row indices. A target counts when the data's loss mask allows
 * it and it is in the same segment as its input (no predicting across a packing
 * boundary).
 */
export function makeBatch(source: PackedRows, rowIndices: ArrayLike<number>): TrainBatch {
  const rows = rowIndices.length;
  const seqLen = source.rowWidth - 1;
  const inputs = new Int32Array(rows * seqLen);
  const targets = new Int32Array(rows * seqLen);
  const lossMask = new Float32Array(rows * seqLen);
  const segmentIds = new Int32Array(rows * seqLen);
  let tokens = 0;
  for (let row = 0; row < rows; row++) {
    const base = rowIndices[row] * source.rowWidth;
    for (let position = 0; position < seqLen; position++) {
      const at = row * seqLen + position;
      inputs[at] = source.tokenIds[base + position];
      targets[at] = source.tokenIds[base + position + 1];
      segmentIds[at] = source.segmentIds[base + position];
      if (source.lossMask[base + position + 1] === 1 && source.segmentIds[base + position] === source.segmentIds[base + position + 1]) {
        lossMask[at] = 1;
        tokens += 1;
      }
    }
  }
  return { rows, seqLen, inputs, targets, lossMask, segmentIds, tokens };
}

/** Splits a batch's rows into `parts` equal slices (for data-parallel workers). */
export function splitBatch(batch: TrainBatch, parts: number): TrainBatch[] {
  const per = batch.rows / parts;
  return Array.from({ length: parts }, (_, part) => {
    const from = part * per * batch.seqLen;
    const to = (part + 1) * per * batch.seqLen;
    const lossMask = batch.lossMask.subarray(from, to);
    let tokens = 0;
    for (let index = 0; index < lossMask.length; index++) tokens += lossMask[index];
    return {
      rows: per,
      seqLen: batch.seqLen,
      inputs: batch.inputs.subarray(from, to),
      targets: batch.targets.subarray(from, to),
      lossMask,
      segmentIds: batch.segmentIds.subarray(from, to),
      tokens,
    };
  });
}
