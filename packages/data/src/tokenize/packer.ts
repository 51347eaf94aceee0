/**
 * Packs token sequences into fixed-width rows (the layout is PackedRows', see
 * packed-rows.ts) — the one packer for training rows: tokenizeDataset streams it into
 * Arrow shards, and packDocuments runs it in memory for a trainer given a text file.
 *
 * `pretrain` rows: documents are concatenated and cut at row boundaries, so no token
 * is wasted; a document cut in two continues as segment 1 of the next row. `sft`
 * rows: a conversation never straddles rows (its loss mask must stay whole); if it
 * does not fit in what is left of the row, the row is padded, and a conversation
 * longer than rowWidth is truncated (counted in `truncated`).
 */
import type { PackedRows } from './packed-rows.js';

export type { PackedRows } from './packed-rows.js';

export interface PackerOptions {
  /** Tokens per row, the shifted target included (see PackedRows). */
  rowWidth: number;
  mode: 'pretrain' | 'sft';
  padId: number;
  /** Rows per emitted block (one shard). */
  rowsPerBlock: number;
  /** Receives each full block; the arrays are reused once it returns, so copy what you keep. */
  emit(block: PackedRows): void | Promise<void>;
}

export class SequencePacker {
  private readonly rowWidth: number;
  private tokenIds: Int32Array;
  private segmentIds: Int32Array;
  private lossMask: Uint8Array;
  /** Tokens written into the current block (row = position / rowWidth). */
  private position = 0;
  private segment = 0;
  tokens = 0;
  documents = 0;
  truncated = 0;
  rowsEmitted = 0;

  constructor(private readonly options: PackerOptions) {
    this.rowWidth = options.rowWidth;
    const size = options.rowsPerBlock * options.rowWidth;
    this.tokenIds = new Int32Array(size);
    this.segmentIds = new Int32Array(size);
    this.lossMask = new Uint8Array(size);
  }

  /** Adds one document's ids (already with BOS/EOS as wanted); `mask` = its loss mask (sft). */
  async add(ids: ArrayLike<number>, mask?: ArrayLike<number>): Promise<void> {
    this.documents++;
    let length = ids.length;
    if (this.options.mode === 'sft') {
      if (length > this.rowWidth) {
        length = this.rowWidth;
        this.truncated++;
      }
      const left = this.rowWidth - (this.position % this.rowWidth);
      if (length > left && left < this.rowWidth) await this.padRow();
    }
    let offset = 0;
    while (offset < length) {
      const column = this.position % this.rowWidth;
      if (column === 0 || offset === 0) this.segment = column === 0 ? 1 : this.segment + 1;
      const take = Math.min(length - offset, this.rowWidth - column);
      for (let index = 0; index < take; index++) {
        const at = this.position + index;
        this.tokenIds[at] = ids[offset + index];
        this.segmentIds[at] = this.segment;
        this.lossMask[at] = index === 0 ? 0 : mask === undefined ? 1 : mask[offset + index] ? 1 : 0;
      }
      this.position += take;
      offset += take;
      this.tokens += take;
      if (this.position === this.tokenIds.length) await this.flush();
    }
  }

  /**
   * Completes the last row — padded, or with `partialRow: 'drop'` left out (its tokens
   * no longer count in `tokens`) — and emits what is left.
   */
  async finish(options: { partialRow?: 'pad' | 'drop' } = {}): Promise<void> {
    const partial = this.position % this.rowWidth;
    if (partial !== 0 && options.partialRow === 'drop') {
      this.tokens -= partial; // a partial row is never padded yet
      this.position -= partial;
    } else if (partial !== 0) await this.padRow();
    if (this.position > 0) await this.flush();
  }

  private async padRow(): Promise<void> {
    const end = Math.ceil(this.position / this.rowWidth) * this.rowWidth;
    this.tokenIds.fill(this.options.padId, this.position, end);
    this.segmentIds.fill(0, this.position, end);
    this.lossMask.fill(0, this.position, end);
    this.position = end;
    if (this.position === this.tokenIds.length) await this.flush();
  }

  private async flush(): Promise<void> {
    const rows = this.position / this.rowWidth;
    const size = this.position;
    await this.options.emit({
      rows,
      rowWidth: this.rowWidth,
      tokenIds: this.tokenIds.subarray(0, size),
      segmentIds: this.segmentIds.subarray(0, size),
      lossMask: this.lossMask.subarray(0, size),
    });
    this.rowsEmitted += rows;
    this.position = 0;
    this.segment = 0;
  }
}
