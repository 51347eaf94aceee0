/**
 * Weight quantization for QLoRA's frozen base. A matrix [rows, columns] is cut into
 * groups of `groupSize` consecutive values along each row; each group stores one
 * float32 scale (absmax / qmax) and symmetric integer codes:
 *   8-bit: codes in [−127, 127], one byte each;
 *   4-bit: codes in [−7, 7], two per byte (low nibble first), offset by 8.
 * Dequantization is code × scale. Memory per weight: 4 bytes (fp32) → 1 or 0.5 byte
 * plus 4/groupSize for the scales.
 */
export interface QuantizedMatrix {
  bits: 4 | 8;
  rows: number;
  columns: number;
  groupSize: number;
  /** 8-bit: one int8 per value; 4-bit: two values per byte. */
  codes: Uint8Array;
  /** [rows · ceil(columns / groupSize)] */
  scales: Float32Array;
}

export function quantizeMatrix(values: Float32Array, rows: number, columns: number, bits: 4 | 8, groupSize: number): QuantizedMatrix {
  if (values.length !== rows * columns) throw new RangeError(`quantizeMatrix: ${values.length} values for [${rows}, ${columns}]`);
  const qmax = bits === 8 ? 127 : 7;
  const groupsPerRow = Math.ceil(columns / groupSize);
  const scales = new Float32Array(rows * groupsPerRow);
  const codes = new Uint8Array(bits === 8 ? rows * columns : Math.ceil((rows * columns) / 2));
  for (let row = 0; row < rows; row++) {
    for (let group = 0; group < groupsPerRow; group++) {
      const start = row * columns + group * groupSize;
      const end = row * columns + Math.min(columns, (group + 1) * groupSize);
      let absmax = 0;
      for (let index = start; index < end; index++) absmax = Math.max(absmax, Math.abs(values[index]));
      const scale = absmax / qmax;
      scales[row * groupsPerRow + group] = scale;
      for (let index = start; index < end; index++) {
        const code = scale === 0 ? 0 : Math.max(-qmax, Math.min(qmax, Math.round(values[index] / scale)));
        if (bits === 8) codes[index] = code & 0xff;
        else setNibble(codes, index, code + 8);
      }
    }
  }
  return { bits, rows, columns, groupSize, codes, scales };
}

function setNibble(codes: Uint8Array, index: number, value: number): void {
  const byte = index >> 1;
  codes[byte] = index & 1 ? (codes[byte] & 0x0f) | (value << 4) : (codes[byte] & 0xf0) | value;
}

/** Dequantizes into `out` (allocated once by the caller and reused per forward). */
export function dequantizeMatrix(matrix: QuantizedMatrix, out: Float32Array<ArrayBuffer> = new Float32Array(matrix.rows * matrix.columns)): Float32Array<ArrayBuffer> {
  const { rows, columns, groupSize, codes, scales, bits } = matrix;
  const groupsPerRow = Math.ceil(columns / groupSize);
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const index = row * columns + column;
      const scale = scales[row * groupsPerRow + Math.floor(column / groupSize)];
      const code = bits === 8 ? (codes[index] << 24) >> 24 : ((index & 1 ? codes[index >> 1] >> 4 : codes[index >> 1] & 0x0f) - 8);
      out[index] = code * scale;
    }
  }
  return out;
}

/** Bytes held by the quantized form (codes + scales). */
export function quantizedBytes(matrix: QuantizedMatrix): number {
  return matrix.codes.byteLength + matrix.scales.byteLength;
}
