/**
 * Packs token sequences into fixed-length rows.
 *
 * Row layout (each [seqLen]):
 *   tokenIds   — token ids; padding uses padId
 *   segmentIds — 1, 2, 3… per document piece within the row; 0 = padding. The trainer
 *                lets a token attend only to earlier tokens of the same segment.
 *   lossMask   — 1 where the token is a training target (predicted from the earlier
 *                tokens of its segment). Always 0 on a segment's first token (nothing
 *                to predict it from) and on padding.
 *
 * `pretrain` rows: documents (each `[bos] ids eos`) are concatenated and cut at row
 * boundaries, so no token is wasted; a document cut in two continues as segment 1 of
 * the next row. `sft` rows: a conversation never straddles rows (its loss mask must
 * stay whole); if it does not fit in what is left of the row, the row is padded, and a
 * conversation longer than seqLen is truncated (counted in `truncated`).
 */
export interface PackedRows {
  rows: number;
  seqLen: number;
  tokenIds: Int32Array; // [rows * seqLen]
  segmentIds: Int32Array; // [rows * seqLen]
  lossMask: Uint8Array; // [rows * seqLen]
}

export interface PackerOptions {
  seqLen: number;
  mode: 'pretrain' | 'sft';
  padId: number;
  /** Rows per emitted block (one shard). */
  rowsPerBlock: number;
  emit(block: PackedRows): void | Promise<void>;
}

export class SequencePacker {
  private readonly seqLen: number;
  private tokenIds: Int32Array;
  private segmentIds: Int32Array;
  private lossMask: Uint8Array;
  /** Tokens written into the current block (row = position / seqLen). */
  private position = 0;
  private segment = 0;
  tokens = 0;
  documents = 0;
  truncated = 0;
  rowsEmitted = 0;

  constructor(private readonly options: PackerOptions) {
    this.seqLen = options.seqLen;
    const size = options.rowsPerBlock * options.seqLen;
    this.tokenIds = new Int32Array(size);
    this.segmentIds = new Int32Array(size);
    this.lossMask = new Uint8Array(size);
  }

  /** Adds one document's ids (already with BOS/EOS as wanted); `mask` = its loss mask (sft). */
  async add(ids: ArrayLike<number>, mask?: ArrayLike<number>): Promise<void> {
    this.documents++;
    let length = ids.length;
    if (this.options.mode === 'sft') {
      if (length > this.seqLen) {
        length = this.seqLen;
        this.truncated++;
      }
      const left = this.seqLen - (this.position % this.seqLen);
      if (length > left && left < this.seqLen) await this.padRow();
    }
    let offset = 0;
    while (offset < length) {
      const column = this.position % this.seqLen;
      if (column === 0 || offset === 0) this.segment = column === 0 ? 1 : this.segment + 1;
      const take = Math.min(length - offset, this.seqLen - column);
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

  /** Pads the last row and emits what is left. */
  async finish(): Promise<void> {
    if (this.position % this.seqLen !== 0) await this.padRow();
    if (this.position > 0) await this.flush();
  }

  private async padRow(): Promise<void> {
    const end = Math.ceil(this.position / this.seqLen) * this.seqLen;
    this.tokenIds.fill(this.options.padId, this.position, end);
    this.segmentIds.fill(0, this.position, end);
    this.lossMask.fill(0, this.position, end);
    this.position = end;
    if (this.position === this.tokenIds.length) await this.flush();
  }

  private async flush(): Promise<void> {
    const rows = this.position / this.seqLen;
    const size = this.position;
    await this.options.emit({
      rows,
      seqLen: this.seqLen,
      tokenIds: this.tokenIds.subarray(0, size),
      segmentIds: this.segmentIds.subarray(0, size),
      lossMask: this.lossMask.subarray(0, size),
    });
    this.rowsEmitted += rows;
    this.position = 0;
    this.segment = 0;
  }
}
