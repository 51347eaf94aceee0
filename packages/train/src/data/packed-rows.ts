/**
 * Packed training rows, however they were made (Arrow shards from chainlm-data, or a
 * text file tokenized for the run): `rows` rows of `width` token ids, back to back.
 * A row of width W trains W−1 next-token predictions.
 */
export interface PackedRows {
  rows: number;
  width: number;
  /** [rows · width] token ids. */
  tokens: Int32Array;
  /** [rows · width] 1 where the token is a target the loss counts; absent = all. */
  lossMask?: Uint8Array;
  /** [rows · width] document index inside the row; a new id starts a new document. */
  segmentIds?: Int32Array;
}

/** One micro-batch as the model and loss take it. */
export interface TrainBatch {
  rows: number;
  /** Positions per row (width − 1). */
  seqLen: number;
  /** [rows · seqLen] model inputs. */
  inputs: Int32Array;
  /** [rows · seqLen] next-token targets. */
  targets: Int32Array;
  /** [rows · seqLen] 1 = counted in the loss. */
  lossMask: Float32Array;
  /** [rows · seqLen] document ids for block-diagonal attention; absent = one document per row. */
  segmentIds?: Int32Array;
  /** Count of 1s in lossMask. */
  tokens: number;
}

export function sliceRows(source: PackedRows, start: number, end: number): PackedRows {
  const from = start * source.width;
  const to = end * source.width;
  return {
    rows: end - start,
    width: source.width,
    tokens: source.tokens.subarray(from, to),
    lossMask: source.lossMask?.subarray(from, to),
    segmentIds: source.segmentIds?.subarray(from, to),
  };
}

/**
 * Builds a batch from row indices. A target counts when the data's loss mask allows
 * it and it is in the same document as its input (no predicting across a packing
 * boundary).
 */
export function makeBatch(source: PackedRows, rowIndices: ArrayLike<number>): TrainBatch {
  const rows = rowIndices.length;
  const seqLen = source.width - 1;
  const inputs = new Int32Array(rows * seqLen);
  const targets = new Int32Array(rows * seqLen);
  const lossMask = new Float32Array(rows * seqLen);
  const segmentIds = source.segmentIds ? new Int32Array(rows * seqLen) : undefined;
  let tokens = 0;
  for (let row = 0; row < rows; row++) {
    const base = rowIndices[row] * source.width;
    for (let position = 0; position < seqLen; position++) {
      const at = row * seqLen + position;
      inputs[at] = source.tokens[base + position];
      targets[at] = source.tokens[base + position + 1];
      const allowed = source.lossMask ? source.lossMask[base + position + 1] === 1 : true;
      const sameDocument = source.segmentIds ? source.segmentIds[base + position] === source.segmentIds[base + position + 1] : true;
      if (segmentIds) segmentIds[at] = source.segmentIds![base + position];
      if (allowed && sameDocument) {
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
      segmentIds: batch.segmentIds?.subarray(from, to),
      tokens,
    };
  });
}
