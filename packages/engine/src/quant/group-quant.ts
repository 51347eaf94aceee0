/**
 * Group-wise weight-only quantization of one matrix in HF layout [out, in]: each
 * row is cut into groups of `groupSize` inputs with their own scale.
 *  - int8: symmetric, q = round(w / s), s = max|w| / 127, q ∈ [−127, 127].
 *  - int4: asymmetric (AWQ/GPTQ style), q = round(w / s) + z ∈ [0, 15],
 *    s = (max − min) / 15, z = round(−min / s); two values per byte, low nibble first.
 * Optional per-input-channel `channelScales` (AWQ) multiply columns before
 * quantizing and divide them back when dequantizing.
 */
import { EngineError } from '../errors.js';

export type QuantBits = 4 | 8;

export interface QuantizedMatrix {
  bits: QuantBits;
  rows: number;
  cols: number;
  groupSize: number;
  /** int8: one byte per value (two's complement); int4: two values per byte. */
  packed: Uint8Array;
  /** [rows, cols / groupSize] */
  scales: Float32Array;
  /** int4 zero points [rows, cols / groupSize]; empty for int8. */
  zeros: Uint8Array;
  /** AWQ per-input-channel scales [cols]; empty when none. */
  channelScales: Float32Array;
}

export function quantizedBytes(matrix: QuantizedMatrix): number {
  return matrix.packed.byteLength + matrix.scales.byteLength + matrix.zeros.byteLength + matrix.channelScales.byteLength;
}

export function quantizeMatrix(data: Float32Array, rows: number, cols: number, bits: QuantBits, groupSize: number, channelScales?: Float32Array): QuantizedMatrix {
  if (cols % groupSize !== 0) {
    throw new EngineError('engine-quant-invalid', `groupSize ${groupSize} does not divide the matrix's ${cols} input columns`, `use a groupSize that divides ${cols} (e.g. ${largestDivisor(cols, groupSize)})`);
  }
  const groups = cols / groupSize;
  const scales = new Float32Array(rows * groups);
  const zeros = new Uint8Array(bits === 4 ? rows * groups : 0);
  const packed = new Uint8Array(bits === 8 ? rows * cols : Math.ceil((rows * cols) / 2));
  const value = (row: number, col: number) => data[row * cols + col] * (channelScales ? channelScales[col] : 1);
  for (let row = 0; row < rows; row++) {
    for (let group = 0; group < groups; group++) {
      let min = Infinity;
      let max = -Infinity;
      for (let col = group * groupSize; col < (group + 1) * groupSize; col++) {
        const v = value(row, col);
        if (v < min) min = v;
        if (v > max) max = v;
      }
      const index = row * groups + group;
      if (bits === 8) {
        const scale = Math.max(Math.abs(min), Math.abs(max)) / 127 || 1;
        scales[index] = scale;
        for (let col = group * groupSize; col < (group + 1) * groupSize; col++) packed[row * cols + col] = Math.round(value(row, col) / scale) & 0xff;
      } else {
        const scale = (max - min) / 15 || 1;
        const zero = Math.min(15, Math.max(0, Math.round(-min / scale)));
        scales[index] = scale;
        zeros[index] = zero;
        for (let col = group * groupSize; col < (group + 1) * groupSize; col++) {
          const q = Math.min(15, Math.max(0, Math.round(value(row, col) / scale) + zero));
          const flat = row * cols + col;
          packed[flat >> 1] |= flat & 1 ? q << 4 : q;
        }
      }
    }
  }
  return { bits, rows, cols, groupSize, packed, scales, zeros, channelScales: channelScales ?? new Float32Array(0) };
}

export function dequantizeMatrix(matrix: QuantizedMatrix, out = new Float32Array(matrix.rows * matrix.cols)): Float32Array {
  const { rows, cols, groupSize, bits, packed, scales, zeros, channelScales } = matrix;
  const groups = cols / groupSize;
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) {
      const flat = row * cols + col;
      const index = row * groups + Math.floor(col / groupSize);
      const q = bits === 8 ? (packed[flat] << 24) >> 24 : ((flat & 1 ? packed[flat >> 1] >> 4 : packed[flat >> 1]) & 15) - zeros[index];
      out[flat] = (q * scales[index]) / (channelScales.length > 0 ? channelScales[col] : 1);
    }
  }
  return out;
}

function largestDivisor(cols: number, atMost: number): number {
  for (let size = Math.min(atMost, cols); size > 1; size--) if (cols % size === 0) return size;
  return 1;
}
