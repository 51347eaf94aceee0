/**
 * Where the K/V rows live. Every store keeps, per layer, a K pool and a V pool laid
 * out head-major, [numKvHeads, numSlots, headDim] (slot = block × blockSize + offset),
 * allocated once. Head-major means a gather of a sequence's slots comes out as
 * [numKvHeads, batch × keys, headDim], which reshapes (no copy) into the batch of
 * [keys, headDim] matrices batched attention multiplies; and a whole block of one
 * head is one contiguous run of blockSize × headDim floats for copies.
 *
 * Two float stores (the design note in paged-attention.ts gives the measurements
 * behind choosing the host store by default):
 *  - WasmHeapKvStore: each pool is one tfjs tensor kept for the engine's lifetime;
 *    new rows are written in place through the wasm heap view, and reads are one
 *    `tf.gather` per pool. Needs the wasm backend.
 *  - HostKvStore: Float32Array pools; reads copy block runs into a staging array
 *    that becomes a tensor. Works on every backend.
 * and an int8 store (int8-kv-store.ts) for the int8 KV cache option.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { tf } from '@chainlm/runtime';
import type { BlockCopy } from '../block/block-manager.js';

export interface KvShape {
  numLayers: number;
  numKvHeads: number;
  headDim: number;
  numBlocks: number;
  blockSize: number;
}

export interface KvStore {
  readonly shape: KvShape;
  readonly kind: 'wasm-heap' | 'host' | 'int8';
  /** Bytes the pools take. */
  readonly bytes: number;
  /** Stores rows t of k/v ([T, numKvHeads, headDim]) at slots[t]. */
  write(layer: number, slots: Int32Array, k: tfTypes.Tensor3D, v: tfTypes.Tensor3D): void;
  /** Rows at `slots` ([N]) as [numKvHeads, N, headDim] tensors; slot −1 is padding and reads any finite values (it is masked out). */
  read(layer: number, slots: Int32Array): { k: tfTypes.Tensor3D; v: tfTypes.Tensor3D };
  copyBlocks(copies: readonly BlockCopy[]): void;
  dispose(): void;
}

export function numSlots(shape: KvShape): number {
  return shape.numBlocks * shape.blockSize;
}

/** Float32 view of a tensor's values: the wasm heap itself when possible, else a copy. */
export function tensorValues(tensor: tfTypes.Tensor): Float32Array {
  const backend = tf.backend() as unknown as { typedArrayFromHeap?: (info: tfTypes.TensorInfo) => Float32Array };
  if (tf.getBackend() === 'wasm' && backend.typedArrayFromHeap) return backend.typedArrayFromHeap(tensor);
  return tensor.dataSync() as Float32Array;
}

/** pool[h, slots[t], :] = rows[t, h, :] for pools laid out [numKvHeads, slotCount, headDim]. */
export function scatterRows(pool: Float32Array, rows: Float32Array, slots: Int32Array, numKvHeads: number, headDim: number, slotCount: number): void {
  for (let t = 0; t < slots.length; t++) {
    for (let head = 0; head < numKvHeads; head++) {
      const from = (t * numKvHeads + head) * headDim;
      pool.set(rows.subarray(from, from + headDim), (head * slotCount + slots[t]) * headDim);
    }
  }
}

/** The tfjs-wasm backend methods the wasm-heap store allocates its reads with. */
interface WasmBackendInternals {
  makeOutput(shape: number[], dtype: 'float32'): tfTypes.TensorInfo;
  typedArrayFromHeap(info: tfTypes.TensorInfo): Float32Array;
}

/** Calls visit(first slot, count) per run: consecutive slots (a block run) or consecutive padding (−1). */
export function forEachRun(slots: Int32Array, visit: (slot: number, count: number) => void): void {
  for (let index = 0; index < slots.length; ) {
    let end = index + 1;
    if (slots[index] < 0) while (end < slots.length && slots[end] < 0) end++;
    else while (end < slots.length && slots[end] === slots[end - 1] + 1) end++;
    visit(slots[index], end - index);
    index = end;
  }
}

/** Copies whole blocks inside one head-major pool. */
export function copyPoolBlocks(pool: Float32Array | Int8Array, copies: readonly BlockCopy[], numKvHeads: number, rowSize: number, blockSize: number, slotCount: number): void {
  const run = blockSize * rowSize;
  for (const { src, dst } of copies) {
    for (let head = 0; head < numKvHeads; head++) {
      const base = head * slotCount * rowSize;
      pool.copyWithin(base + dst * run, base + src * run, base + (src + 1) * run);
    }
  }
}

/** A tensor from a reused staging buffer: wasm copies on creation; other backends may keep the array, so they get a copy. */
export function stagedTensor(staging: Float32Array, size: number, shape: [number, number, number]): tfTypes.Tensor3D {
  const values = tf.getBackend() === 'wasm' ? staging.subarray(0, size) : staging.slice(0, size);
  return tf.tensor3d(values, shape);
}

export class WasmHeapKvStore implements KvStore {
  readonly kind = 'wasm-heap' as const;
  readonly bytes: number;
  private readonly pools: { k: tfTypes.Tensor3D; v: tfTypes.Tensor3D }[] = [];

  constructor(readonly shape: KvShape) {
    const dims: [number, number, number] = [shape.numKvHeads, numSlots(shape), shape.headDim];
    for (let layer = 0; layer < shape.numLayers; layer++) this.pools.push({ k: tf.keep(tf.zeros(dims)), v: tf.keep(tf.zeros(dims)) });
    this.bytes = 2 * shape.numLayers * dims[0] * dims[1] * dims[2] * 4;
  }

  write(layer: number, slots: Int32Array, k: tfTypes.Tensor3D, v: tfTypes.Tensor3D): void {
    const { numKvHeads, headDim } = this.shape;
    // Re-fetch the views each call: a wasm memory.grow detaches earlier ones.
    scatterRows(tensorValues(this.pools[layer].k), tensorValues(k), slots, numKvHeads, headDim, numSlots(this.shape));
    scatterRows(tensorValues(this.pools[layer].v), tensorValues(v), slots, numKvHeads, headDim, numSlots(this.shape));
  }

  read(layer: number, slots: Int32Array) {
    return { k: this.gather(this.pools[layer].k, slots), v: this.gather(this.pools[layer].v, slots) };
  }

  /**
   * Block runs copied inside the wasm heap (one memmove each, no JS objects) into a
   * freshly allocated output tensor — not tf.gather, whose wasm kernel walks element
   * by element. Padding (−1) is zeroed: fresh heap memory may hold any bit pattern.
   */
  private gather(pool: tfTypes.Tensor3D, slots: Int32Array): tfTypes.Tensor3D {
    const { numKvHeads, headDim } = this.shape;
    const backend = tf.backend() as unknown as WasmBackendInternals;
    const info = backend.makeOutput([numKvHeads, slots.length, headDim], 'float32'); // malloc, may grow memory
    const out = backend.typedArrayFromHeap(info); // views taken after the malloc
    const source = tensorValues(pool);
    const heap = new Float32Array(out.buffer);
    const outBase = out.byteOffset / 4;
    const poolBase = source.byteOffset / 4;
    const slotCount = numSlots(this.shape);
    for (let head = 0; head < numKvHeads; head++) {
      let to = outBase + head * slots.length * headDim;
      forEachRun(slots, (slot, count) => {
        if (slot < 0) heap.fill(0, to, to + count * headDim);
        else heap.copyWithin(to, poolBase + (head * slotCount + slot) * headDim, poolBase + (head * slotCount + slot + count) * headDim);
        to += count * headDim;
      });
    }
    return tf.engine().makeTensorFromTensorInfo(info) as tfTypes.Tensor3D;
  }

  copyBlocks(copies: readonly BlockCopy[]): void {
    if (copies.length === 0) return;
    const { numKvHeads, headDim, blockSize } = this.shape;
    for (const pool of this.pools) {
      copyPoolBlocks(tensorValues(pool.k), copies, numKvHeads, headDim, blockSize, numSlots(this.shape));
      copyPoolBlocks(tensorValues(pool.v), copies, numKvHeads, headDim, blockSize, numSlots(this.shape));
    }
  }

  dispose(): void {
    for (const pool of this.pools) tf.dispose([pool.k, pool.v]);
    this.pools.length = 0;
  }
}

export class HostKvStore implements KvStore {
  readonly kind = 'host' as const;
  readonly bytes: number;
  private readonly pools: { k: Float32Array; v: Float32Array }[] = [];
  private staging = new Float32Array(0);

  constructor(readonly shape: KvShape) {
    const size = shape.numKvHeads * numSlots(shape) * shape.headDim;
    for (let layer = 0; layer < shape.numLayers; layer++) this.pools.push({ k: new Float32Array(size), v: new Float32Array(size) });
    this.bytes = 2 * shape.numLayers * size * 4;
  }

  write(layer: number, slots: Int32Array, k: tfTypes.Tensor3D, v: tfTypes.Tensor3D): void {
    const { numKvHeads, headDim } = this.shape;
    scatterRows(this.pools[layer].k, tensorValues(k), slots, numKvHeads, headDim, numSlots(this.shape));
    scatterRows(this.pools[layer].v, tensorValues(v), slots, numKvHeads, headDim, numSlots(this.shape));
  }

  read(layer: number, slots: Int32Array) {
    return { k: this.gather(this.pools[layer].k, slots), v: this.gather(this.pools[layer].v, slots) };
  }

  private gather(pool: Float32Array, slots: Int32Array): tfTypes.Tensor3D {
    const { numKvHeads, headDim } = this.shape;
    const slotCount = numSlots(this.shape);
    const size = numKvHeads * slots.length * headDim;
    if (this.staging.length < size) this.staging = new Float32Array(size);
    const out = this.staging;
    for (let head = 0; head < numKvHeads; head++) {
      const base = head * slotCount;
      let to = head * slots.length * headDim;
      // Padding (−1) is skipped, leaving earlier reads' finite values there (masked
      // out, so they only need to be finite: 0 · value = 0 in the probabilities' product).
      forEachRun(slots, (slot, count) => {
        if (slot >= 0) out.set(pool.subarray((base + slot) * headDim, (base + slot + count) * headDim), to);
        to += count * headDim;
      });
    }
    return stagedTensor(out, size, [numKvHeads, slots.length, headDim]);
  }

  copyBlocks(copies: readonly BlockCopy[]): void {
    const { numKvHeads, headDim, blockSize } = this.shape;
    for (const pool of this.pools) {
      copyPoolBlocks(pool.k, copies, numKvHeads, headDim, blockSize, numSlots(this.shape));
      copyPoolBlocks(pool.v, copies, numKvHeads, headDim, blockSize, numSlots(this.shape));
    }
  }

  dispose(): void {
    this.pools.length = 0;
  }
}
