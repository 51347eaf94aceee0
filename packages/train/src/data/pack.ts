/**
 * Packs tokenized documents into fixed-width rows (for data given as text rather
 * than as packed shards). Documents are concatenated, each followed by EOS, and cut
 * into rows of `width` tokens; the partial last row is dropped. Segment ids number
 * the documents inside each row so the loss never predicts across a boundary and
 * attention can stay inside a document.
 */
import type { PackedRows } from './packed-rows.js';

export interface TokenizedDocument {
  ids: ArrayLike<number>;
  /** 1 where the token is a training target (e.g. the response of a chat); absent = all. */
  lossMask?: ArrayLike<number>;
}

export function packDocuments(documents: TokenizedDocument[], width: number, eosId: number): PackedRows {
  let total = 0;
  for (const document of documents) total += document.ids.length + 1;
  const rows = Math.floor(total / width);
  const tokens = new Int32Array(rows * width);
  const lossMask = new Uint8Array(rows * width);
  const segmentIds = new Int32Array(rows * width);
  let at = 0;
  let documentIndex = 0;
  outer: for (const document of documents) {
    for (let index = 0; index <= document.ids.length; index++) {
      if (at >= tokens.length) break outer;
      const isEos = index === document.ids.length;
      tokens[at] = isEos ? eosId : document.ids[index];
      // EOS is learned after the last counted token of a document.
      lossMask[at] = isEos || !document.lossMask ? 1 : document.lossMask[index] ? 1 : 0;
      segmentIds[at] = documentIndex;
      at += 1;
    }
    documentIndex += 1;
  }
  renumberSegmentsPerRow(segmentIds, width);
  return { rows, width, tokens, lossMask, segmentIds };
}

function renumberSegmentsPerRow(segmentIds: Int32Array, width: number): void {
  for (let start = 0; start < segmentIds.length; start += width) {
    const first = segmentIds[start];
    for (let index = start; index < start + width; index++) segmentIds[index] -= first;
  }
}

/** Tail split: the last `fraction` of rows (at least one) validate, the rest train. */
export function splitRows(rows: PackedRows, fraction: number): { train: PackedRows; val: PackedRows } {
  const valRows = Math.max(1, Math.round(rows.rows * fraction));
  const cut = (rows.rows - valRows) * rows.width;
  const part = (from: number, to: number, count: number): PackedRows => ({
    rows: count,
    width: rows.width,
    tokens: rows.tokens.subarray(from, to),
    lossMask: rows.lossMask?.subarray(from, to),
    segmentIds: rows.segmentIds?.subarray(from, to),
  });
  return { train: part(0, cut, rows.rows - valRows), val: part(cut, rows.tokens.length, valRows) };
}
