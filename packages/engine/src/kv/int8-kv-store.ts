/**
 * The int8 KV cache option: each stored row of one head (headDim values) is kept as
 * int8 with one float32 scale (absmax / 127), a quarter of the float bytes plus 4
 * bytes per token-head. Reads dequantize into a staging array (host-side; tfjs has
 * no int8 tensors). Error per value ≤ scale / 2.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { BlockCopy } from '../block/block-manager.js';
import { copyPoolBlocks, numSlots, stagedTensor, tensorValues, type KvShape, type KvStore } from './kv-store.js';

interface Int8Pool {
  values: Int8Array; // [numKvHeads, numSlots, headDim]
  scales: Float32Array; // [numKvHeads, numSlots]
}

export class Int8KvStore implements KvStore {
  readonly kind = 'int8' as const;
  readonly bytes: number;
  private readonly pools: { k: Int8Pool; v: Int8Pool }[] = [];
  private staging = new Float32Array(0);

  constructor(readonly shape: KvShape) {
    const rows = shape.numKvHeads * numSlots(shape);
    const pool = (): Int8Pool => ({ values: new Int8Array(rows * shape.headDim), scales: new Float32Array(rows) });
    for (let layer = 0; layer < shape.numLayers; layer++) this.pools.push({ k: pool(), v: pool() });
    this.bytes = 2 * shape.numLayers * rows * (shape.headDim + 4);
  }

  write(layer: number, slots: Int32Array, k: tfTypes.Tensor3D, v: tfTypes.Tensor3D): void {
    this.quantizeRows(this.pools[layer].k, tensorValues(k), slots);
    this.quantizeRows(this.pools[layer].v, tensorValues(v), slots);
  }

  private quantizeRows(pool: Int8Pool, rows: Float32Array, slots: Int32Array): void {
    const { numKvHeads, headDim } = this.shape;
    const slotCount = numSlots(this.shape);
    for (let t = 0; t < slots.length; t++) {
      for (let head = 0; head < numKvHeads; head++) {
        const from = (t * numKvHeads + head) * headDim;
        let absMax = 0;
        for (let index = 0; index < headDim; index++) absMax = Math.max(absMax, Math.abs(rows[from + index]));
        const scale = absMax / 127 || 1;
        const row = head * slotCount + slots[t];
        pool.scales[row] = scale;
        const to = row * headDim;
        for (let index = 0; index < headDim; index++) pool.values[to + index] = Math.round(rows[from + index] / scale);
      }
    }
  }

  read(layer: number, slots: Int32Array) {
    return { k: this.dequantize(this.pools[layer].k, slots), v: this.dequantize(this.pools[layer].v, slots) };
  }

  private dequantize(pool: Int8Pool, slots: Int32Array): tfTypes.Tensor3D {
    const { numKvHeads, headDim } = this.shape;
    const slotCount = numSlots(this.shape);
    const size = numKvHeads * slots.length * headDim;
    if (this.staging.length < size) this.staging = new Float32Array(size);
    const out = this.staging;
    let to = 0;
    for (let head = 0; head < numKvHeads; head++) {
      for (let index = 0; index < slots.length; index++) {
        if (slots[index] < 0) {
          to += headDim; // padding: masked out, earlier finite values stay
          continue;
        }
        const row = head * slotCount + slots[index];
        const scale = pool.scales[row];
        const from = row * headDim;
        for (let column = 0; column < headDim; column++) out[to++] = pool.values[from + column] * scale;
      }
    }
    return stagedTensor(out, size, [numKvHeads, slots.length, headDim]);
  }

  copyBlocks(copies: readonly BlockCopy[]): void {
    const { numKvHeads, headDim, blockSize } = this.shape;
    const slotCount = numSlots(this.shape);
    for (const pool of this.pools) {
      for (const half of [pool.k, pool.v]) {
        copyPoolBlocks(half.values, copies, numKvHeads, headDim, blockSize, slotCount);
        copyPoolBlocks(half.scales, copies, numKvHeads, 1, blockSize, slotCount);
      }
    }
  }

  dispose(): void {
    this.pools.length = 0;
  }
}
