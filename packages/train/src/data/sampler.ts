/**
 * Deterministic batch order. Each epoch is a permutation of the training rows drawn
 * from core's SeededRandom seeded by (seed, epoch); the position is (epoch, cursor),
 * which checkpoints save, so a resumed run takes exactly the batches an uninterrupted
 * one would have taken.
 */
import { SeededRandom } from '@chainlm/core';

export interface DataPosition {
  epoch: number;
  /** Rows of this epoch's permutation already taken. */
  cursor: number;
}

export class BatchSampler {
  private order: Int32Array;
  private position: DataPosition;

  constructor(
    readonly rows: number,
    readonly seed: number,
    start: DataPosition = { epoch: 0, cursor: 0 },
  ) {
    if (rows < 1) throw new RangeError('BatchSampler: no rows to sample');
    this.position = { ...start };
    this.order = epochOrder(rows, seed, start.epoch);
  }

  /** Row indices of the next batch; crosses into the next epoch when this one runs out. */
  next(batchSize: number): Int32Array {
    const out = new Int32Array(batchSize);
    for (let index = 0; index < batchSize; index++) {
      if (this.position.cursor >= this.rows) {
        this.position = { epoch: this.position.epoch + 1, cursor: 0 };
        this.order = epochOrder(this.rows, this.seed, this.position.epoch);
      }
      out[index] = this.order[this.position.cursor++];
    }
    return out;
  }

  get current(): DataPosition {
    return { ...this.position };
  }

  /** Epochs completed, fractional. */
  get epochs(): number {
    return this.position.epoch + this.position.cursor / this.rows;
  }
}

function epochOrder(rows: number, seed: number, epoch: number): Int32Array {
  // Mix seed and epoch so neighbouring seeds do not share epochs.
  return new SeededRandom(Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca77)).permutation(rows);
}
