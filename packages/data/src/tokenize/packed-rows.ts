/**
 * Packed training rows — the one contract between the packer here (and the Arrow
 * shards it writes) and @chainlm/train, which reads them. Owned by data (STYLE.md
 * habit 10): train imports this type and never keeps a copy.
 *
 * `rows` rows of `rowWidth` tokens, row-major. `rowWidth` counts every token of a
 * row, the shifted target included: a row of width W is read as W − 1 model inputs
 * (positions 0 … W−2) predicting W − 1 targets (positions 1 … W−1). So a trainer
 * whose context is `seqLen` positions (train's `data.seqLen`) wants rowWidth =
 * seqLen + 1. (The shard manifest's and tokenizeDataset's `seqLen` predate this
 * name and mean rowWidth.)
 *
 *   tokenIds   — [rows · rowWidth] token ids; padding uses the tokenizer's pad id.
 *   segmentIds — [rows · rowWidth] 1, 2, 3 … per document piece within the row; 0 =
 *                padding. Only equality matters: a token attends to, and is predicted
 *                from, earlier tokens of its own segment.
 *   lossMask   — [rows · rowWidth] 1 where the token is a training target. Always 0
 *                on a segment's first token (nothing in the row predicts it) and on
 *                padding.
 */
export interface PackedRows {
  rows: number;
  /** Tokens per row, the shifted target included (= the trainer's seqLen + 1). */
  rowWidth: number;
  tokenIds: Int32Array;
  segmentIds: Int32Array;
  lossMask: Uint8Array;
}

/** Rows [start, end) as views (no copy). */
export function sliceRows(source: PackedRows, start: number, end: number): PackedRows {
  const [from, to] = [start * source.rowWidth, end * source.rowWidth];
  return {
    rows: end - start,
    rowWidth: source.rowWidth,
    tokenIds: source.tokenIds.subarray(from, to),
    segmentIds: source.segmentIds.subarray(from, to),
    lossMask: source.lossMask.subarray(from, to),
  };
}

/** Joins blocks of one width into one (copies unless there is a single block). */
export function concatRows(parts: PackedRows[]): PackedRows {
  if (parts.length === 1) return parts[0];
  const rowWidth = parts[0].rowWidth;
  const mismatch = parts.find((part) => part.rowWidth !== rowWidth);
  if (mismatch) throw new Error(`concatRows: rows of width ${mismatch.rowWidth} cannot join rows of width ${rowWidth}`);
  const rows = parts.reduce((sum, part) => sum + part.rows, 0);
  const joined: PackedRows = { rows, rowWidth, tokenIds: new Int32Array(rows * rowWidth), segmentIds: new Int32Array(rows * rowWidth), lossMask: new Uint8Array(rows * rowWidth) };
  let at = 0;
  for (const part of parts) {
    joined.tokenIds.set(part.tokenIds, at);
    joined.segmentIds.set(part.segmentIds, at);
    joined.lossMask.set(part.lossMask, at);
    at += part.tokenIds.length;
  }
  return joined;
}

/** Tail split: the last `fraction` of rows (at least one) validate, the rest train. */
export function splitTailRows(source: PackedRows, fraction: number): { train: PackedRows; val: PackedRows } {
  const valRows = Math.max(1, Math.round(source.rows * fraction));
  return { train: sliceRows(source, 0, source.rows - valRows), val: sliceRows(source, source.rows - valRows, source.rows) };
}
