/**
 * A contiguous KV cache for a fixed batch of sequences: per layer and sequence one
 * preallocated host buffer [maxLength, numKvHeads, headDim] for k and one for v
 * (the same row layout the model hands over, so a write is one `set`). Attention
 * of each sequence's rows runs over its prefix with scaledDotProductAttention.
 *
 * Use: `positions = cache.beginStep(sequenceOfRow)` assigns each new row the next
 * position of its sequence; then forwardStep(model, { tokenIds, positions,
 * attention: cache }). The engine's paged cache implements the same interface.
 */
import { ChainlmError } from '@chainlm/core';
import { tf } from '@chainlm/runtime';
import type { ModelConfig } from '../config/index.js';
import type { AttentionBackend } from './attention-backend.js';
import { causalMaskData, scaledDotProductAttention } from './attention.js';

export interface KvCacheOptions {
  numSequences: number;
  /** Tokens each sequence can hold (prompt + generated). */
  maxLength: number;
}

export class KvCache implements AttentionBackend {
  readonly numSequences: number;
  readonly maxLength: number;
  private readonly rowSize: number;
  private readonly keys: Float32Array[][]; // [layer][sequence]
  private readonly values: Float32Array[][];
  private readonly lengths: Int32Array;
  private stepSequences = new Int32Array(0);
  private stepPositions = new Int32Array(0);

  constructor(private readonly config: ModelConfig, options: KvCacheOptions) {
    if (!Number.isInteger(options.numSequences) || options.numSequences < 1 || !Number.isInteger(options.maxLength) || options.maxLength < 1) {
      throw new ChainlmError('kv-cache-options', `numSequences and maxLength must be positive integers (got ${options.numSequences}, ${options.maxLength})`, { hint: 'size the cache for the batch and its longest sequence' });
    }
    this.numSequences = options.numSequences;
    this.maxLength = options.maxLength;
    this.rowSize = config.numKvHeads * config.headDim;
    const buffers = (): Float32Array[][] =>
      Array.from({ length: config.numLayers }, () => Array.from({ length: this.numSequences }, () => new Float32Array(this.maxLength * this.rowSize)));
    this.keys = buffers();
    this.values = buffers();
    this.lengths = new Int32Array(this.numSequences);
  }

  /** Tokens held by a sequence. */
  length(sequence: number): number {
    return this.lengths[sequence]!;
  }

  /** Forgets a sequence's tokens (its buffers are reused). */
  reset(sequence: number): void {
    this.lengths[sequence] = 0;
  }

  /** Registers the step's rows (row i belongs to sequenceOfRow[i]) and returns their positions. */
  beginStep(sequenceOfRow: ArrayLike<number>): Int32Array {
    const positions = new Int32Array(sequenceOfRow.length);
    const next = Int32Array.from(this.lengths);
    for (let row = 0; row < sequenceOfRow.length; row++) {
      const sequence = sequenceOfRow[row]!;
      if (!(sequence >= 0 && sequence < this.numSequences)) {
        throw new ChainlmError('kv-cache-sequence', `row ${row} names sequence ${sequence}, but the cache holds ${this.numSequences}`, { hint: 'sequence ids are 0..numSequences-1' });
      }
      if (next[sequence]! >= this.maxLength) {
        throw new ChainlmError('kv-cache-full', `sequence ${sequence} is full (${this.maxLength} tokens)`, { hint: 'create the cache with a larger maxLength' });
      }
      positions[row] = next[sequence]!++;
    }
    this.lengths.set(next);
    this.stepSequences = Int32Array.from(sequenceOfRow);
    this.stepPositions = positions;
    return positions;
  }

  attend(layer: number, q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D): tf.Tensor2D {
    const rows = q.shape[0];
    if (rows !== this.stepSequences.length) {
      throw new ChainlmError('kv-cache-step', `attend got ${rows} rows but beginStep registered ${this.stepSequences.length}`, { hint: 'call beginStep with one sequence id per token before forwardStep' });
    }
    this.store(this.keys[layer]!, k.dataSync() as Float32Array);
    this.store(this.values[layer]!, v.dataSync() as Float32Array);
    const order: number[] = [];
    const outputs: tf.Tensor2D[] = [];
    for (let sequence = 0; sequence < this.numSequences; sequence++) {
      const sequenceRows: number[] = [];
      for (let row = 0; row < rows; row++) if (this.stepSequences[row] === sequence) sequenceRows.push(row);
      if (sequenceRows.length === 0) continue;
      order.push(...sequenceRows);
      outputs.push(this.attendSequence(layer, sequence, q, sequenceRows));
    }
    const joined = outputs.length === 1 ? outputs[0]! : tf.concat(outputs, 0);
    if (order.every((row, index) => row === index)) return joined;
    const inverse = new Int32Array(rows);
    order.forEach((row, index) => (inverse[row] = index));
    return tf.gather(joined, tf.tensor1d(inverse, 'int32'));
  }

  private store(buffers: Float32Array[], data: Float32Array): void {
    for (let row = 0; row < this.stepSequences.length; row++) {
      const position = this.stepPositions[row]!;
      buffers[this.stepSequences[row]!]!.set(data.subarray(row * this.rowSize, (row + 1) * this.rowSize), position * this.rowSize);
    }
  }

  /** [rows of this sequence, H·d]. */
  private attendSequence(layer: number, sequence: number, q: tf.Tensor3D, sequenceRows: number[]): tf.Tensor2D {
    const { numKvHeads, headDim, numHeads } = this.config;
    const positions = sequenceRows.map((row) => this.stepPositions[row]!);
    const keyLength = Math.max(...positions) + 1;
    const contiguous = sequenceRows.every((row, index) => row === sequenceRows[0]! + index);
    const queries = contiguous && sequenceRows.length === q.shape[0] ? q
      : contiguous ? tf.slice(q, [sequenceRows[0]!, 0, 0], [sequenceRows.length, numHeads, headDim])
      : tf.gather(q, tf.tensor1d(sequenceRows, 'int32'));
    const span = keyLength * this.rowSize;
    const keys = tf.tensor4d(this.keys[layer]![sequence]!.subarray(0, span), [1, keyLength, numKvHeads, headDim]);
    const values = tf.tensor4d(this.values[layer]![sequence]!.subarray(0, span), [1, keyLength, numKvHeads, headDim]);
    const mask = tf.tensor4d(causalMaskData(positions, keyLength), [1, 1, positions.length, keyLength]);
    const output = scaledDotProductAttention(tf.expandDims(queries, 0) as tf.Tensor4D, keys, values, { mask });
    return tf.reshape(output, [positions.length, numHeads * headDim]);
  }
}
