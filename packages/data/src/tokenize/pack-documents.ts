/**
 * The packer run in memory: tokenized documents → one PackedRows. For a trainer given
 * a text file rather than shards; the rows are laid out exactly as tokenizeDataset
 * lays out its shards (same SequencePacker), so both routes train the same way.
 */
import { SequencePacker } from './packer.js';
import { concatRows, type PackedRows } from './packed-rows.js';

export interface PackDocument {
  /** Token ids, with BOS/EOS already as wanted. */
  ids: ArrayLike<number>;
  /** 1 where the token is a training target (e.g. a chat's response); absent = all. */
  lossMask?: ArrayLike<number>;
}

export interface PackDocumentsOptions {
  /** Tokens per row, the shifted target included (see PackedRows). */
  rowWidth: number;
  mode: 'pretrain' | 'sft';
  padId: number;
  /** The last, partial row: padded (as in shards) or dropped (default 'pad'). */
  partialRow?: 'pad' | 'drop';
}

/** Packs `documents` into rows; zero rows when they hold no full row and partialRow is 'drop'. */
export async function packDocuments(documents: PackDocument[], options: PackDocumentsOptions): Promise<PackedRows> {
  let total = 0;
  for (const document of documents) total += document.ids.length;
  // Room for every row in one block: pretrain rows are full but the last; sft adds at most one padded row per document.
  const rowsPerBlock = Math.max(1, Math.ceil(total / options.rowWidth) + (options.mode === 'sft' ? documents.length + 1 : 0));
  const blocks: PackedRows[] = [];
  const packer = new SequencePacker({ rowWidth: options.rowWidth, mode: options.mode, padId: options.padId, rowsPerBlock, emit: (block) => void blocks.push(block) });
  for (const document of documents) await packer.add(document.ids, document.lossMask);
  await packer.finish({ partialRow: options.partialRow });
  if (blocks.length === 0) return { rows: 0, rowWidth: options.rowWidth, tokenIds: new Int32Array(0), segmentIds: new Int32Array(0), lossMask: new Uint8Array(0) };
  return concatRows(blocks);
}
